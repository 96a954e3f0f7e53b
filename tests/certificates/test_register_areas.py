"""Issue 26, finding 6: technology areas a register writes that nothing maps are mapped once
by the secretariat and remembered; and a register like the one that was refused (1,500
rows, 329 real problems) comes in with every good row and every real problem flagged."""

from __future__ import annotations

import html
import io
import re

from sqlalchemy import delete, select

from labelling.accounts.models import Role
from labelling.core.audit import AuditEvent
from labelling.extensions import db
from labelling.organisations.models import TechnologyAreaName
from tests.certificates.test_register_import import HEADER, YEAR, as_csv
from tests.factories import create_user, sign_in

IMPORT = "/secretariat/labels/import"


def register(areas: list[str], countries: list[str] | None = None) -> list[list[str]]:
    rows = [HEADER]
    for n, area in enumerate(areas, start=2):
        country = (countries or ["DE"])[n % len(countries or ["DE"])]
        rows.append(
            [f"Cluster number {n}", country, area, f"https://cluster{n}.example.org", "Gold",
             f"{YEAR + 1}/06/30", "", "", "", ""]
        )  # fmt: skip
    return rows


def upload(client, rows):
    return client.post(
        IMPORT,
        data={"register": (io.BytesIO(as_csv(rows)), "register.csv")},
        content_type="multipart/form-data",
    )


def hidden(page: str, name: str) -> str:
    return html.unescape(page.split(f'name="{name}" type="hidden" value="')[1].split('"')[0])


def asked(page: str) -> list[str]:
    """The names the report asks the secretariat to map, in its order."""
    return [
        html.unescape(name) for name in re.findall(r'<label for="areas-\d+-area">([^<]*)<', page)
    ]


def test_an_unknown_technology_area_is_mapped_once_and_remembered(app, client):
    admin = create_user("admin@example.org", roles=(Role.ADMIN,))
    sign_in(client, admin.email)
    first = upload(client, register(["Textiles", "Wood and furniture", "TEXTILES", "Food"]))
    page = first.get_data(as_text=True)
    assert "1 label to record" in page and "3 rows with problems" in page
    assert asked(page) == ["Textiles", "Wood and furniture"]  # "TEXTILES" is the same name

    key, columns = hidden(page, "upload"), hidden(page, "columns")
    form = {"upload": key, "columns": columns, "areas-0-written": "Textiles"}
    refused = client.post(f"{IMPORT}/areas", data={**form, "areas-0-area": "silk"})
    assert refused.status_code == 400  # not an area
    assert db.session.scalar(select(TechnologyAreaName)) is None

    mapped = client.post(
        f"{IMPORT}/areas",
        data={**form, "areas-0-area": "materials_chemistry",
              "areas-1-written": "Wood and furniture", "areas-1-area": ""},
    )  # fmt: skip
    page = mapped.get_data(as_text=True)
    assert mapped.status_code == 200
    assert "1 technology area remembered for every import." in page
    assert "3 labels to record" in page and "1 row with problems" in page  # checked again
    assert asked(page) == ["Wood and furniture"]  # left unknown: still asked

    later = upload(client, register(["textiles", "Food"])).get_data(as_text=True)
    assert "2 labels to record" in later and asked(later) == []  # remembered
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "technology_area_name.mapped")
    )
    assert event.actor_id == admin.id and event.comment == "Textiles = materials_chemistry"

    listed = client.get(IMPORT).get_data(as_text=True)
    assert "Technology areas the secretariat mapped" in listed
    assert "New materials and chemistry" in listed
    name = db.session.scalar(select(TechnologyAreaName))
    client.post(f"{IMPORT}/areas/{name.id}/forget")
    again = upload(client, register(["textiles"])).get_data(as_text=True)
    assert asked(again) == ["textiles"]


def test_the_confirmation_imports_the_mapped_area(app, client):
    from labelling.organisations.models import Organisation

    admin = create_user("admin@example.org", roles=(Role.ADMIN,))
    sign_in(client, admin.email)
    page = upload(client, register(["Textiles"])).get_data(as_text=True)
    key, columns = hidden(page, "upload"), hidden(page, "columns")
    client.post(
        f"{IMPORT}/areas",
        data={"upload": key, "columns": columns, "areas-0-written": "Textiles",
              "areas-0-area": "materials_chemistry"},
    )  # fmt: skip
    client.post(f"{IMPORT}/confirm", data={"upload": key, "columns": columns})
    organisation = db.session.scalar(select(Organisation))
    assert organisation.technology_area == "materials_chemistry"


def test_only_names_the_file_asks_about_are_mapped(app, client):
    admin = create_user("admin@example.org", roles=(Role.ADMIN,))
    sign_in(client, admin.email)
    page = upload(client, register(["Textiles"])).get_data(as_text=True)
    client.post(
        f"{IMPORT}/areas",
        data={"upload": hidden(page, "upload"), "columns": hidden(page, "columns"),
              "areas-0-written": "Anything else", "areas-0-area": "food"},
    )  # fmt: skip
    assert db.session.scalar(select(TechnologyAreaName)) is None
    twice = client.post(
        f"{IMPORT}/areas",
        data={"upload": hidden(page, "upload"), "columns": hidden(page, "columns"),
              "areas-0-written": "Textiles", "areas-0-area": "food",
              "areas-1-written": "TEXTILES", "areas-1-area": "materials_chemistry"},
    )  # fmt: skip
    assert twice.status_code == 200  # one name, folded alike: the last choice holds
    assert db.session.scalars(select(TechnologyAreaName.area)).all() == ["materials_chemistry"]
    db.session.execute(delete(TechnologyAreaName))
    db.session.commit()
    gone = client.post(
        f"{IMPORT}/areas", data={"upload": "0" * 32, "areas-0-written": "Textiles",
                                 "areas-0-area": "food"}
    )  # fmt: skip
    assert gone.status_code == 302  # the upload was imported or has expired: nothing mapped
    assert db.session.scalar(select(TechnologyAreaName)) is None


# The sample the issue describes: what good rows wrote, and how many.
GOOD_AREAS = {
    "Health and medical": 144,
    "Wood and furniture": 130,
    "Aerospace": 128,
    "Textiles": 127,
    "Maritime": 125,
    "Transport and logistics": 112,
}
GOOD_COUNTRIES = {"Ελλάδα": 96, "Danmark": 74}
REAL_PROBLEMS = 329


def sample_register() -> tuple[list[list[str]], set[int]]:
    """1,500 rows: the issue's synonyms and native country names on good rows, and 329
    rows with a real problem of one of seven kinds; returns the rows and the bad rows'
    numbers."""
    areas = [area for area, times in GOOD_AREAS.items() for _ in range(times)]
    countries = [country for country, times in GOOD_COUNTRIES.items() for _ in range(times)]
    rows, bad = [HEADER], set()
    for n in range(2, 1502):
        index = n - 2
        row = [
            f"Cluster number {n}",
            countries[index] if index < len(countries) else "Germany",
            areas[index] if index < len(areas) else "ICT",
            f"https://cluster{n}.example.org",
            "Silver",
            f"{YEAR + 1}/{n % 12 + 1:02d}/28",
            f"EU-{n:05d}",
            "",
            "",
            f"contact{n}@example.org",
        ]
        if n % 4 == 1 and len(bad) < REAL_PROBLEMS:  # spread over the file
            kind = len(bad) % 7
            if kind == 0:
                row[1] = "Atlantis"
            elif kind == 1:
                row[5] = f"{YEAR + 1}/02/30"
            elif kind == 2:
                row[4] = "Platinum"
            elif kind == 3:
                row[3] = "not a website"
            elif kind == 4:
                row[9] = "contact at example"
            elif kind == 5:
                row[0] = '=HYPERLINK("http://evil.example","x")'
            else:
                row[0] = ""
            bad.add(n)
        rows.append(row)
    return rows, bad


def test_the_sample_register_imports_every_good_row_and_flags_every_real_problem(app, client):
    rows, bad = sample_register()
    assert len(rows) == 1501 and len(bad) == REAL_PROBLEMS
    admin = create_user("admin@example.org", roles=(Role.ADMIN,))
    sign_in(client, admin.email)
    page = upload(client, rows).get_data(as_text=True)
    assert asked(page) == ["Wood and furniture", "Textiles"]  # the most frequent first
    key, columns = hidden(page, "upload"), hidden(page, "columns")
    mapped = client.post(
        f"{IMPORT}/areas",
        data={"upload": key, "columns": columns,
              "areas-0-written": "Wood and furniture", "areas-0-area": "production_engineering",
              "areas-1-written": "Textiles", "areas-1-area": "materials_chemistry"},
    )  # fmt: skip
    page = mapped.get_data(as_text=True)
    assert "1171 labels to record" in page and "329 rows with problems" in page
    flagged = client.post(f"{IMPORT}/flagged.csv", data={"upload": key, "columns": columns})
    numbers = {
        int(line.split(",", 1)[0]) for line in flagged.get_data(as_text=True).splitlines()[1:]
    }
    assert numbers == bad  # precision and recall 1.0


def test_the_command_maps_areas_for_the_run_and_remembers_them_unless_dry_run(app, tmp_path):
    from labelling.organisations.models import Organisation

    admin = create_user("admin@example.org", roles=(Role.ADMIN,))
    path = tmp_path / "register.csv"
    path.write_bytes(as_csv(register(["Textiles"])))
    runner = app.test_cli_runner()
    command = ["import-register", str(path)]
    wrong = runner.invoke(args=[*command, "--dry-run", "--area", "Textiles=silk"])
    assert wrong.exit_code == 2 and "--area" in wrong.output
    mapped = ["--area", "Textiles=materials_chemistry"]
    dry = runner.invoke(args=[*command, "--dry-run", *mapped])
    assert dry.exit_code == 0 and "1 labels recorded" in dry.output, dry.output
    assert db.session.scalar(select(TechnologyAreaName)) is None  # a dry run keeps nothing
    done = runner.invoke(args=[*command, "--actor", admin.email, *mapped])
    assert done.exit_code == 0, done.output
    assert db.session.scalar(select(TechnologyAreaName.area)) == "materials_chemistry"
    assert db.session.scalar(select(Organisation.technology_area)) == "materials_chemistry"
