"""The manager's answers as an XLSX workbook and as a PDF summary."""

from __future__ import annotations

import io
from datetime import date

from flask import render_template

from labelling.assessments.models import Application
from labelling.core.cells import plain_cell
from labelling.core.pdf import render_pdf
from labelling.criteria.framework import Framework
from labelling.criteria.scoring import ScoreResult
from labelling.frameworks.messages import describe_threshold, status_label


def answers_workbook(application: Application, framework: Framework, result: ScoreResult) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    answers = workbook.active
    answers.title = "Answers"
    answers.append(["Section", "Question id", "Question", "Answer", "Unit"])
    stored = application.answer_values()
    for section in framework.sections:
        for question in section.questions:
            answers.append(
                [
                    section.title,
                    question.id,
                    question.label,
                    plain_cell(stored.get(question.id)),
                    question.unit,
                ]
            )
    indicators = workbook.create_sheet("Indicators")
    indicators.append(
        [
            "Code",
            "Indicator",
            "Value",
            "Gold threshold",
            "Baseline minimum",
            "Result",
            "Points",
            "Maximum",
            "Provisional threshold",
        ]
    )
    for indicator in framework.indicators:
        r = result.indicator(indicator.code)
        indicators.append(
            [
                indicator.code,
                indicator.name,
                plain_cell(r.value),
                describe_threshold(framework, indicator, indicator.gold_threshold),
                describe_threshold(framework, indicator, indicator.baseline_minimum),
                status_label(r.status),
                r.points,
                r.max_points,
                indicator.provisional,
            ]
        )
    about = workbook.create_sheet("About")
    for row in (
        ["Organisation", application.organisation.legal_name],
        ["Level", application.level],
        ["Criteria", application.framework_key],
        ["State", application.state],
        ["Provisional excellence score (%)", result.excellence_score],
        ["Exported on", date.today().isoformat()],
    ):
        about.append(row)
    for sheet in workbook.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.iter_rows():
            for cell in row:  # what a cluster typed may start like a formula: never run it
                cell.value = plain_cell(cell.value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def summary_pdf(application: Application, framework: Framework, result: ScoreResult) -> bytes:
    html = render_template(
        "assessments/summary_pdf.html",
        application=application,
        framework=framework,
        result=result,
        answers=application.answer_values(),
        today=date.today(),
    )
    return render_pdf(html)
