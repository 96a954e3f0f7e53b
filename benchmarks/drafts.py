"""The impact simulation of a draft at the design size (issue 24): every decided application
of the version in force (30,000 and more) scored again under it and under a draft.

    .venv/bin/python benchmarks/seed.py --organisations 15000 --database-url URL
    .venv/bin/python benchmarks/drafts.py --database-url URL

On seed.py's decided applications (which carry no questionnaire), every one gets a full set
of plausible answers (the demo's generator); each Gold one two accepted assessors who rated
three indicators, one of them apart, and the lead's consolidated ratings; the others one
accepted assessor. A draft is the framework in force with the Gold threshold of its first
indicator raised from 50 % to 60 %. Then the simulation runs as the job runs it (in
process, one transaction per batch of progress), timed.

Target (issue 24): <= 60 s over 30,000 decided applications.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from load import bench_app  # noqa: E402
from seed import bulk_insert  # noqa: E402

FRAMEWORKS = ROOT / "labelling" / "criteria" / "frameworks"
RAISED = 'gold_threshold: {comparator: ">=", value: 50}'


def _draft_directory(folder: Path) -> tuple[str, str]:
    """The frameworks in force, and beside the current one a draft with one threshold
    raised; returns the draft's id and version."""
    shutil.copytree(FRAMEWORKS, folder, dirs_exist_ok=True)
    source = folder / "ecei-2013" / "2013.1.yaml"
    original = source.read_text()
    assert RAISED in original
    draft = (
        original.replace('version: "2013.1"', 'version: "2013.2"', 1)
        .replace("status: active", "status: draft", 1)
        .replace(RAISED, RAISED.replace("50", "60"), 1)
    )
    (folder / "ecei-2013" / "2013.2.yaml").write_text(draft)
    return "ecei-2013", "2013.2"


def seed_questionnaires(url: str, seed_value: int = 31) -> dict:
    from labelling.demo.cases import plausible_answers
    from labelling.frameworks.services import current_framework

    rng = random.Random(seed_value)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as instance:
        app = bench_app(url, instance)
        with app.app_context():
            framework = current_framework()
            codes = [indicator.code for indicator in framework.indicators]
            from labelling.extensions import db

            engine = db.engine
            with engine.begin() as conn:
                for table in ("answer", "consolidated_score", "indicator_score", "assignment"):
                    conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - our own tables
                assessors = list(
                    conn.scalars(text("SELECT user_id FROM user_role WHERE role = 'assessor'"))
                )
                decided = conn.execute(
                    text(
                        "SELECT id, level FROM application WHERE state IN ('awarded', 'refused')"
                        " ORDER BY id"
                    )
                ).all()
                answers, assignments, scores, consolidated = [], [], [], []
                for app_id, level in decided:
                    known = {
                        "members_sme": rng.randint(15, 160),
                        "members_large": rng.randint(1, 20),
                        "members_rnd": rng.randint(1, 12),
                        "members_university": rng.randint(1, 6),
                    }
                    quality = rng.random()
                    for question, value in plausible_answers(
                        framework, known, rng, quality
                    ).items():
                        answers.append((app_id, question, json.dumps(value), now, False))
                    team = rng.sample(assessors, 2 if level == "gold" else 1)
                    for number, person in enumerate(team):
                        assignments.append((app_id, person, number == 0, "accepted", now, now, now))
                    if level == "gold":
                        rated = rng.sample(codes, 3)
                        for number, code in enumerate(rated):
                            lead = rng.choice(["met", "not_met"])
                            turned = "not_met" if lead == "met" else "met"
                            other = lead if number else turned  # apart on the first
                            scores.append((app_id, team[0], code, "null", lead, now, 1))
                            scores.append((app_id, team[1], code, "null", other, now, 1))
                            consolidated.append((app_id, team[0], code, "null", lead, now, 1))
                bulk_insert(
                    conn, "answer",
                    "application_id, question_id, value, updated_at, is_carried_over", answers,
                )  # fmt: skip
                bulk_insert(
                    conn,
                    "assignment",
                    "application_id, assessor_id, is_lead, status, responded_at, "
                    "no_conflict_declared_at, created_at",
                    assignments,
                )
                bulk_insert(
                    conn,
                    "indicator_score",
                    "application_id, assessor_id, indicator_code, verified_value, status, "
                    "updated_at, row_version",
                    scores,
                )
                bulk_insert(
                    conn, "consolidated_score",
                    "application_id, recorded_by_id, indicator_code, verified_value, status, "
                    "updated_at, row_version", consolidated,
                )  # fmt: skip
            with engine.connect() as conn:
                autocommit = conn.execution_options(isolation_level="AUTOCOMMIT")
                for table in ("answer", "assignment", "indicator_score", "consolidated_score"):
                    autocommit.execute(text(f"VACUUM ANALYZE {table}"))
            engine.dispose()
    return {"applications": len(decided), "answers": len(answers), "ratings": len(scores)}


def time_the_simulation(url: str) -> dict:
    from labelling.accounts.models import User
    from labelling.drafts import simulation
    from labelling.drafts.models import DraftImpact
    from labelling.extensions import db

    with tempfile.TemporaryDirectory() as instance, tempfile.TemporaryDirectory() as criteria:
        framework_id, version = _draft_directory(Path(criteria))
        app = bench_app(url, instance, CRITERIA_DIRECTORY=criteria)
        with app.app_context():
            db.session.execute(db.delete(DraftImpact))
            actor = db.session.scalar(db.select(User).order_by(User.id))
            started = time.perf_counter()
            impact = simulation.start(framework_id, version, actor)
            db.session.info.pop("labelling.jobs.after_commit", None)  # run it here, timed
            db.session.commit()
            simulation.run(impact.id)
            db.session.commit()
            elapsed = time.perf_counter() - started
            found = simulation.from_record(impact.result)
            figures = {
                "seconds": round(elapsed, 1),
                "applications": found.cases,
                "changed": len(found.changes),
                "lowered": found.lowered,
                "by level": dict(found.by("level")),
                "by indicator": dict(found.by_indicator.most_common(3)),
            }
            db.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--skip-seed", action="store_true", help="the answers are there already")
    args = parser.parse_args()
    if not args.skip_seed:
        started = time.perf_counter()
        seeded = seed_questionnaires(args.database_url)
        print(f"seeded in {time.perf_counter() - started:.0f} s: {seeded}")
    print(f"the simulation: {time_the_simulation(args.database_url)}")


if __name__ == "__main__":
    main()
