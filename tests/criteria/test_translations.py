"""The criteria in every language: companion files give each text a person reads; the
pages show them in the reader's language; `check-criteria` reports what is missing (a
warning in a draft framework, an error in an active one) or unknown; the answers and their
fingerprint do not depend on the language."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
import yaml
from flask_babel import force_locale

from labelling.config import Config
from labelling.criteria.loader import DEFAULT_DIRECTORY, FrameworkRegistry
from labelling.criteria.translations import check_companion, localised, text_keys
from labelling.frameworks.services import current_framework

ECEI = FrameworkRegistry.from_directory().get("ecei-2013")


@pytest.mark.parametrize("locale", [code for code in Config.LANGUAGES if code != "en"])
def test_ecei_ships_every_text_in_every_language(locale):
    assert check_companion(ECEI, locale) == ([], [])


def test_the_localised_framework_changes_words_never_ids_or_thresholds():
    german = localised(ECEI, "de")
    assert german.level("silver").name == "Silber"
    assert german.indicator("1.1.0").name == "Verbindlichkeit der Clusterakteure"
    assert [i.code for i in german.indicators] == [i.code for i in ECEI.indicators]
    assert [i.gold_threshold for i in german.indicators] == [
        i.gold_threshold for i in ECEI.indicators
    ]
    assert [q.id for q in german.questions] == [q.id for q in ECEI.questions]
    assert localised(ECEI, "nl") is ECEI  # no companion
    # English's companion holds only the units' forms after a number: no word changes.
    english = localised(ECEI, "en")
    assert english.unit_forms and english.indicators == ECEI.indicators
    assert len(text_keys(ECEI)) == 227  # 216 texts and 11 units
    assert german.indicator("5.2").unit == "Erfolgsgeschichten"
    assert [q.unit for q in german.questions if q.id == "training_days"] == ["Tage"]
    assert localised(ECEI, "fr").indicator("1.1.0").unit == ECEI.indicator("1.1.0").unit  # "%"


def test_pages_show_the_criteria_in_the_readers_language(client, manager):
    from tests.factories import create_org, sign_in

    organisation = create_org(manager)
    sign_in(client, manager.email)
    client.post(
        f"/organisations/{organisation.id}/applications/new", data={"level": "gold", "kind": "new"}
    )
    from labelling.assessments.models import Application
    from labelling.extensions import db

    application = db.session.scalars(db.select(Application)).one()
    client.post("/language", data={"locale": "de"})
    section = client.get(f"/applications/{application.id}/questionnaire/structure").text
    assert "Struktur des Clusters" in section and "Mitglieder: KMU" in section
    public = client.get("/criteria/ecei-2013/2013.1?lang=fr").text
    assert "Verbindlichkeit" not in public and "Engagement des acteurs du cluster" in public


def test_the_answers_fingerprint_does_not_depend_on_the_language(app, manager):
    from labelling.assessments import services
    from labelling.extensions import db
    from tests.factories import create_org

    organisation = create_org(manager)
    application = services.start_application(
        organisation, "gold", "new", manager, current_framework()
    )
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        english = services.answers_fingerprint(application)
    with app.test_request_context(headers={"Accept-Language": "de"}), force_locale("de"):
        german = services.answers_fingerprint(application)
    assert english == german


@pytest.fixture
def drafts(tmp_path):
    """A copy of ECEI whose German companion lacks one text and names one unknown key."""
    shutil.copytree(DEFAULT_DIRECTORY / "ecei-2013", tmp_path / "ecei-2013")
    path = tmp_path / "ecei-2013" / "translations" / "2013.1.de.yaml"
    data = yaml.safe_load(path.read_text())
    del data["texts"]["areas.1"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return tmp_path


def test_check_criteria_reports_missing_and_unknown_texts(app, drafts):
    app.extensions["criteria"] = FrameworkRegistry.from_directory(drafts)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["check-criteria"])
    assert result.exit_code == 1  # active: a missing translation is an error
    assert "error  ecei-2013@2013.1 [de]: 1 missing" in result.output
    draft_file = drafts / "ecei-2013" / "2013.1.yaml"
    draft_file.write_text(draft_file.read_text().replace("status: active", "status: draft"))
    app.extensions["criteria"] = FrameworkRegistry.from_directory(drafts)
    warned = runner.invoke(args=["check-criteria"])
    assert warned.exit_code == 0 and "warning  ecei-2013@2013.1 [de]: 1 missing" in warned.output
    path = drafts / "ecei-2013" / "translations" / "2013.1.de.yaml"
    data = yaml.safe_load(path.read_text())
    data["texts"]["indicators.9.9.name"] = "Erfunden"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    app.extensions["criteria"] = FrameworkRegistry.from_directory(drafts)
    unknown = runner.invoke(args=["check-criteria"])
    assert unknown.exit_code == 1 and "1 unknown" in unknown.output


@pytest.mark.parametrize(
    ("locale", "one", "two", "five"),
    [
        ("en", "≥ 1 year", "≥ 2 years", "≥ 5 years"),
        ("de", "≥ 1 Jahr", "≥ 2 Jahre", "≥ 5 Jahre"),
        ("fr", "≥ 1 an", "≥ 2 ans", "≥ 5 ans"),
        ("es", "≥ 1 año", "≥ 2 años", "≥ 5 años"),
        ("it", "≥ 1 anno", "≥ 2 anni", "≥ 5 anni"),
        ("pl", "≥ 1 rok", "≥ 2 lata", "≥ 5 lat"),
    ],
)
def test_a_unit_reads_right_after_its_number(app, locale, one, two, five):
    """Issue 28: thresholds read "≥ 1 years". The units' forms after a number come from the
    companions, by CLDR plural category (Polish has three)."""
    from labelling.criteria.framework import Threshold
    from labelling.frameworks.messages import describe_threshold

    framework = localised(ECEI, locale)
    indicator = next(i for i in framework.indicators if i.measure == "management_years")
    (condition,) = indicator.gold_threshold.conditions
    with app.test_request_context(), force_locale(locale):
        for number, expected in ((1, one), (2, two), (5, five)):
            threshold = Threshold((replace(condition, value=number),))
            assert describe_threshold(framework, indicator, threshold) == expected


def test_the_published_criteria_say_1_year(client):
    page = client.get("/criteria/ecei-2013/2013.1").text
    assert "≥ 1 year<" in page or "≥ 1 year " in page
    assert "≥ 1 years" not in page and "≥ 2 years" in page
    assert "≥ 2 etaty" in client.get("/criteria/ecei-2013/2013.1?lang=pl").text


def test_a_unit_form_names_a_unit_and_a_plural_category(app, tmp_path):
    """`units.years.one` is known; `units.years.single` or a form of an unknown unit is not."""
    directory = tmp_path / "criteria"
    shutil.copytree(DEFAULT_DIRECTORY, directory)
    companion = directory / "ecei-2013" / "translations" / "2013.1.de.yaml"
    data = yaml.safe_load(companion.read_text(encoding="utf-8"))
    data["texts"]["units.years.single"] = "Jahr"
    data["texts"]["units.parsecs.one"] = "Parsec"
    companion.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    framework = FrameworkRegistry.from_directory(directory).get("ecei-2013")
    assert check_companion(framework, "de") == ([], ["units.parsecs.one", "units.years.single"])


@pytest.mark.parametrize(
    ("number", "expected"),
    [(1, "etat"), (2, "etaty"), (5, "etatów"), (2.5, "etatu"), (1.0, "etat")],
)
def test_polish_has_a_form_after_a_fraction_too(app, number, expected):
    """Polish says "2,5 etatu" (CLDR's "other"), where its plain form "etat" heads a column."""
    from labelling.frameworks.messages import unit_after

    polish = localised(ECEI, "pl")
    fte = next(q for q in polish.questions if q.id == "management_fte")
    assert fte.unit == "etat"
    assert unit_after(polish, fte.unit, number) == expected
