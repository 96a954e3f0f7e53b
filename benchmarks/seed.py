"""Seed a database with N labelled cluster organisations, in bulk, ready to serve.

    .venv/bin/python benchmarks/seed.py --organisations 100000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

What it leaves: the schema migrated to head (the database is emptied first), one
secretariat account, N organisations with realistic names in a dozen languages (accents
included), countries and technology areas, and their history: one to three labels each
(Bronze, Silver, Gold; renewals continuing with no gap; some suspended, some revoked),
each from an awarded application, each with a certificate (a few reissued). The rows are
real; every certificate carries the same small PDF. The registry's read model is then
rebuilt by the platform's own `rebuild`, and the tables are vacuumed and analysed.

Rows go in with COPY on PostgreSQL and multi-row inserts on SQLite. Target (issue 11):
100,000 organisations in at most 120 s on PostgreSQL.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

# Countries weighted roughly like the European register (Germany, Spain, France ...).
COUNTRIES = {
    "DE": 14, "ES": 11, "FR": 10, "IT": 8, "PL": 7, "AT": 5, "SE": 4, "DK": 4, "NO": 4,
    "CZ": 4, "BE": 3, "NL": 3, "PT": 3, "FI": 3, "SK": 2, "HU": 2, "RO": 2, "GR": 2,
    "SI": 1, "HR": 1, "BG": 1, "LT": 1, "LV": 1, "EE": 1, "IE": 1, "TR": 1, "CH": 1,
    "IS": 1, "LU": 1, "MT": 1,
}  # fmt: skip
CITIES = {
    "DE": ["München", "Stuttgart", "Köln", "Düsseldorf", "Nürnberg", "Jena", "Dresden"],
    "ES": ["Bilbao", "Zaragoza", "Málaga", "Córdoba", "León", "Cádiz", "Valencia"],
    "FR": ["Lyon", "Brest", "Besançon", "Nîmes", "Orléans", "Rennes", "Évry"],
    "IT": ["Torino", "Napoli", "Forlì", "Cantù", "Bari", "Padova", "Udine"],
    "PL": ["Kraków", "Łódź", "Gdańsk", "Rzeszów", "Poznań", "Wrocław", "Białystok"],
    "AT": ["Wien", "Linz", "Graz", "Innsbruck", "Klagenfurt"],
    "SE": ["Göteborg", "Malmö", "Jönköping", "Umeå", "Västerås"],
    "DK": ["København", "Århus", "Ålborg", "Odense", "Køge"],
    "NO": ["Trondheim", "Tromsø", "Bergen", "Ålesund", "Bodø"],
    "CZ": ["Brno", "Plzeň", "Ostrava", "Hradec Králové", "Zlín"],
    "FI": ["Tampere", "Oulu", "Jyväskylä", "Turku", "Espoo"],
    "PT": ["Braga", "Évora", "Guimarães", "Setúbal", "Porto"],
    "HU": ["Győr", "Pécs", "Debrecen", "Székesfehérvár"],
    "RO": ["Timișoara", "Brașov", "Iași", "Cluj-Napoca"],
    "SK": ["Žilina", "Košice", "Bratislava", "Trenčín"],
    "GR": ["Thessaloniki", "Pátra", "Irákleio"],
    "TR": ["İzmir", "Bursa", "Eskişehir"],
    "IS": ["Reykjavík", "Akureyri"],
}
DEFAULT_CITIES = ["Brussels", "Ljubljana", "Zagreb", "Sofia", "Vilnius", "Riga", "Tallinn"]

# Name patterns per language family: {sector} and {place} are filled from the pools.
# fmt: off
NAMES = {
    "de": (
        ["Cluster {sector} {place}", "{sector}cluster {place}", "Kompetenznetz {sector} {place}",
         "Netzwerk {sector} {place} e.V.", "Innovationscluster {sector} {place}"],
        ["Medizintechnik", "Automobil", "Lebensmittel", "Energie", "Luftfahrt", "Photonik",
         "Mikrotechnik", "Holz", "Kunststoff", "Logistik", "Umwelttechnik", "Bioökonomie"],
        ["Baden-Württemberg", "Bayern", "Sachsen", "Thüringen", "Oberösterreich", "Steiermark",
         "Nordrhein-Westfalen", "Münsterland", "Allgäu", "Rhein-Main"],
    ),
    "fr": (
        ["Pôle {sector} {place}", "Cluster {sector} {place}", "Pôle de compétitivité {sector}"],
        ["Mer", "Véhicule du Futur", "Aérospatial", "Agroalimentaire", "Énergies Renouvelables",
         "Santé", "Numérique", "Matériaux", "Textile", "Céramique", "Optique", "Éco-construction"],
        ["Bretagne", "Île-de-France", "Auvergne-Rhône-Alpes", "Occitanie", "Hauts-de-France",
         "Wallonie", "Provence-Alpes-Côte d'Azur", "Franche-Comté", "Normandie"],
    ),
    "es": (
        ["Clúster de {sector} de {place}", "Asociación Clúster {sector} {place}"],
        ["Automoción", "Energía", "Alimentación", "Aeronáutica", "Biotecnología", "Logística",
         "Turismo", "Hábitat", "Maquinaria", "Envase y Embalaje"],
        ["Aragón", "Cataluña", "Andalucía", "Castilla y León", "País Vasco", "Galicia",
         "Región de Murcia", "Comunidad Valenciana"],
    ),
    "it": (
        ["Distretto Tecnologico {sector} {place}", "Cluster {sector} {place}"],
        ["Aerospaziale", "Agroalimentare", "Meccatronico", "Nautico", "della Moda",
         "Biomedicale", "dell'Energia", "del Legno"],
        ["della Campania", "del Piemonte", "della Lombardia", "del Veneto", "della Puglia",
         "dell'Emilia-Romagna", "della Sardegna"],
    ),
    "pl": (
        ["Klaster {sector} {place}", "Stowarzyszenie Klaster {sector}"],
        ["Lotniczy", "Energetyczny", "Spożywczy", "Meblarski", "Medyczny", "Informatyczny",
         "Ekoenergetyczny", "Chemiczny"],
        ["Dolina Lotnicza", "Śląski", "Małopolski", "Pomorski", "Łódzki", "Wielkopolski"],
    ),
    "nordic": (
        ["{place} {sector} Cluster", "{place} {sector} Klynge", "{place} {sector}kluster",
         "{sector} Network {place}"],
        ["Food", "Life Science", "Cleantech", "Maritime", "Robotics", "Wind", "Water",
         "Bioeconomy", "Welfare Tech"],
        ["Øresund", "Ålborg", "Göteborg", "Tampere", "Trøndelag", "Skåne", "Jönköping",
         "Sjælland", "Västra Götaland", "Nordland"],
    ),
    "cs": (
        ["{place} {sector} klastr", "Klastr {sector} {place}"],
        ["energetický", "strojírenský", "nanotechnologický", "dřevařský", "textilní"],
        ["Moravskoslezský", "Jihomoravský", "Plzeňský", "Žilinský", "Východočeský"],
    ),
    "pt": (
        ["Cluster {sector} {place}", "Pólo de Competitividade {sector}"],
        ["Têxtil", "Habitat Sustentável", "Agroindustrial", "do Mar", "Aeronáutico",
         "das Indústrias Criativas"],
        ["Norte", "Centro", "Alentejo", "Açores", "Madeira"],
    ),
    "en": (
        ["{place} {sector} Cluster", "{sector} Alliance {place}", "{place} {sector} Hub"],
        ["Digital Health", "Advanced Manufacturing", "Agri-Food", "Space", "Fintech",
         "Offshore Energy", "Photonics", "Creative Industries"],
        ["Dublin", "Flanders", "Danube", "Adriatic", "Baltic", "Carpathian", "Alpine"],
    ),
}
# fmt: on
LANGUAGE_OF = {
    "DE": "de",
    "AT": "de",
    "CH": "de",
    "LU": "fr",
    "FR": "fr",
    "BE": "fr",
    "ES": "es",
    "IT": "it",
    "MT": "en",
    "PL": "pl",
    "SE": "nordic",
    "DK": "nordic",
    "NO": "nordic",
    "FI": "nordic",
    "IS": "nordic",
    "CZ": "cs",
    "SK": "cs",
    "PT": "pt",
}  # fmt: skip
AREAS = [
    "food", "biotechnology", "production_engineering", "aviation_space", "energy_environment",
    "creative_industries", "construction", "health_medical", "sports_leisure_tourism", "ict",
    "materials_chemistry", "transport_logistics", "maritime_water", "other",
]  # fmt: skip
# First assessments since the scheme began, more of them in recent years.
FIRST_YEAR = 2012


@dataclass
class Plan:
    """Everything to insert, as tuples in the tables' column order."""

    organisations: list[tuple] = field(default_factory=list)
    applications: list[tuple] = field(default_factory=list)
    labels: list[tuple] = field(default_factory=list)
    certificates: list[tuple] = field(default_factory=list)


def organisation_name(rng: random.Random, country: str, city: str) -> str:
    patterns, sectors, places = NAMES[LANGUAGE_OF.get(country, "en")]
    place = city if rng.random() < 0.35 else rng.choice(places)
    return rng.choice(patterns).format(sector=rng.choice(sectors), place=place).strip()


def first_assessment(rng: random.Random, today: date) -> date:
    span = (today - date(FIRST_YEAR, 1, 1)).days
    # A triangular draw leaning to recent years: the scheme has grown.
    return date(FIRST_YEAR, 1, 1) + timedelta(days=int(rng.triangular(0, span, span)))


def plan(count: int, today: date, owner_id: int, framework, seed: int = 7) -> Plan:
    """The rows for `count` organisations (deterministic for a seed)."""
    from labelling.certificates.rendering import ALPHABET
    from labelling.certificates.validity import label_validity

    rng = random.Random(seed)
    countries, weights = zip(*COUNTRIES.items(), strict=True)
    levels = {level.id: level for level in framework.levels}
    now = datetime.now(UTC)
    result = Plan()
    application_id = label_id = certificate_id = 0
    numbers: set[str] = set()
    for organisation_id in range(1, count + 1):
        country = rng.choices(countries, weights)[0]
        city = rng.choice(CITIES.get(country, DEFAULT_CITIES))
        name = organisation_name(rng, country, city)
        members = max(15, int(rng.lognormvariate(4.3, 0.7)))
        result.organisations.append(
            (
                organisation_id, name, None if rng.random() < 0.7 else name.split()[0][:80],
                country, None, city, f"https://cluster-{organisation_id}.example.eu", True,
                rng.choice(AREAS), rng.randint(1995, 2020), None, round(rng.uniform(0.5, 9), 2),
                members * 6 // 10, members // 10, members // 10, members // 20,
                0, 0, 0, members - members * 6 // 10 - members // 10 * 2 - members // 20, 0,
                members, now, now,
            )
        )  # fmt: skip
        level = rng.choices(["bronze", "silver", "gold"], [6, 2, 2])[0]
        assessed = first_assessment(rng, today)
        previous_until: date | None = None
        # Most organisations renew (70 % each time) until they reach today.
        history = 1
        while history < 8 and rng.random() < 0.7:
            history += 1
        for step in range(history):
            if assessed > today - timedelta(days=7):
                break
            valid_from, valid_until = label_validity(levels[level], assessed, previous_until)
            application_id += 1
            label_id += 1
            decided_at = datetime.combine(assessed, datetime.min.time(), tzinfo=UTC)
            result.applications.append(
                (
                    application_id, organisation_id, level, "renewal" if step else "new",
                    framework.id, framework.version, framework.digest, "awarded", owner_id,
                    decided_at, decided_at, decided_at, owner_id, level, assessed,
                    "Benchmark register", 1,
                )
            )  # fmt: skip
            last = step == history - 1 or assessed + timedelta(days=700) > today
            roll = rng.random()
            status, reason, changed = "active", None, None
            if roll < (0.03 if last else 0.0):
                status, reason = "suspended", "Under review after a complaint."
            elif roll < (0.05 if last else 0.01):
                status, reason = "revoked", "The organisation was dissolved."
            if status != "active":
                changed = min(now, decided_at + timedelta(days=rng.randint(30, 500)))
            result.labels.append(
                (
                    label_id, organisation_id, application_id, level, framework.id,
                    framework.version, assessed, valid_from, valid_until, status, reason,
                    changed, label_id - 1 if step else None, decided_at,
                )
            )  # fmt: skip
            for _ in range(1 + (rng.random() < 0.03)):  # a few certificates were reissued
                certificate_id += 1
                number = ""
                while not number or number in numbers:  # numbers are unique, as issued
                    code = "".join(rng.choice(ALPHABET) for _ in range(8))
                    number = f"{level.upper()}-X{country}-{assessed.year}-{code[:4]}-{code[4:]}"
                numbers.add(number)
                context = {
                    "number": number,
                    "organisation_name": name,
                    "country_name": country,
                    "level": level,
                    "level_name": levels[level].name,
                    "tagline": levels[level].tagline,
                    "framework": f"{framework.title} ({framework.version})",
                    "assessment_date": assessed.isoformat(),
                    "valid_until": valid_until.isoformat(),
                    "issuer": framework.issuer,
                    "verify_url": f"/verify/{number}",
                }
                result.certificates.append(
                    (certificate_id, label_id, number, json.dumps(context), decided_at)
                )
            # The next assessment: a renewal about two years on, sometimes a level up.
            previous_until = valid_until
            assessed = assessed + timedelta(days=rng.randint(640, 760))
            if level != "gold" and rng.random() < 0.35:
                level = "silver" if level == "bronze" else "gold"
    return result


ORGANISATION_COLUMNS = (
    "id, legal_name, short_name, country_code, region, city, website, is_website_in_english, "
    "technology_area, founding_year, legal_form, management_fte, members_sme, members_large, "
    "members_rnd, members_university, members_education, members_finance, members_consultant, "
    "members_public, members_other, committed_members, created_at, updated_at"
)
APPLICATION_COLUMNS = (
    "id, organisation_id, level, kind, framework_id, framework_version, framework_digest, "
    "state, created_by_id, created_at, updated_at, decided_at, decided_by_id, awarded_level, "
    "assessment_date, decision_reason, row_version"
)
LABEL_COLUMNS = (
    "id, organisation_id, application_id, level, framework_id, framework_version, "
    "assessment_date, valid_from, valid_until, status, status_reason, status_changed_at, "
    "previous_label_id, created_at"
)
CERTIFICATE_COLUMNS = "id, label_id, number, pdf, sha256, context, supersedes_id, created_at"


def certificate_rows(planned: Plan, pdf: bytes) -> list[tuple]:
    """Certificates with the shared PDF; a reissue supersedes the label's previous one."""
    digest = hashlib.sha256(pdf).hexdigest()
    rows, last_of_label = [], {}
    for certificate_id, label_id, number, context, created in planned.certificates:
        supersedes = last_of_label.get(label_id)
        rows.append((certificate_id, label_id, number, pdf, digest, context, supersedes, created))
        last_of_label[label_id] = certificate_id
    return rows


def bulk_insert(conn, table: str, columns: str, rows: list[tuple]) -> None:
    """COPY on PostgreSQL, multi-row executemany on SQLite, in one transaction."""
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in columns.split(","))
        adapted = [tuple(_sqlite_value(value) for value in row) for row in rows]
        raw.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", adapted)  # noqa: S608


def _sqlite_value(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def empty_database(url: str) -> None:
    """Drop everything in the database (PostgreSQL) or remove the file (SQLite)."""
    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def seed(url: str, count: int, instance: str, seed_value: int = 7) -> dict[str, float]:
    """Empty, migrate and fill the database; returns the seconds each step took."""
    from flask_migrate import upgrade

    from labelling import create_app
    from labelling.accounts.models import Role
    from labelling.accounts.services import register_user
    from labelling.core.pdf import render_pdf
    from labelling.extensions import db, init_migrations
    from labelling.frameworks.services import current_framework
    from labelling.registry.sync import rebuild

    times: dict[str, float] = {}
    started = time.perf_counter()
    empty_database(url)
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": instance,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "a-benchmark-key-for-this-throwaway-run",
            "BASE_URL": "http://127.0.0.1:8000",  # links are made; none is followed
            # The bulk load and the registry's rebuild at 100,000 outlast the 30 s a
            # request may take (a COPY of the certificates was cancelled).
            "DATABASE_STATEMENT_TIMEOUT_MS": 0,
        }
    )
    init_migrations(app)
    with app.app_context():
        upgrade()
        times["migrate"] = time.perf_counter() - started
        owner = register_user(
            "secretariat@bench.example.eu", "Bench Secretariat", "bench-password-123",
            (Role.SECRETARIAT,),
        )  # fmt: skip
        db.session.commit()
        step = time.perf_counter()
        planned = plan(count, date.today(), owner.id, current_framework(), seed_value)
        with app.test_request_context():
            pdf = render_pdf("<p></p>")  # one small real PDF, shared by every certificate
        times["plan"] = time.perf_counter() - step
        step = time.perf_counter()
        with db.engine.begin() as conn:
            bulk_insert(conn, "organisation", ORGANISATION_COLUMNS, planned.organisations)
            bulk_insert(conn, "application", APPLICATION_COLUMNS, planned.applications)
            bulk_insert(conn, "label", LABEL_COLUMNS, planned.labels)
            bulk_insert(conn, "certificate", CERTIFICATE_COLUMNS, certificate_rows(planned, pdf))
            if conn.dialect.name == "postgresql":
                for table in ("organisation", "application", "label", "certificate"):
                    conn.execute(
                        text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                             f"(SELECT max(id) FROM {table}))")
                    )  # fmt: skip
        times["insert"] = time.perf_counter() - step
        step = time.perf_counter()
        with db.engine.begin() as conn:
            rows = rebuild(conn)
        times["registry"] = time.perf_counter() - step
        step = time.perf_counter()
        db.session.remove()  # an open snapshot would keep VACUUM from marking pages visible
        vacuum(db.engine)
        times["analyse"] = time.perf_counter() - step
    times["total"] = time.perf_counter() - started
    times["labels"] = len(planned.labels)
    times["registry_rows"] = rows
    return times


def vacuum(engine) -> None:
    """Statistics for the planner (and PostgreSQL's visibility map, for index-only scans)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def main() -> None:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        times = seed(args.database_url, args.organisations, instance, args.seed)
    print(
        f"seeded {args.organisations:,} organisations ({times['labels']:,} labels, "
        f"{times['registry_rows']:,} registry rows) in {times['total']:.1f} s: "
        + ", ".join(
            f"{name} {seconds:.1f} s"
            for name, seconds in times.items()
            if name not in ("total", "labels", "registry_rows")
        )
    )


if __name__ == "__main__":
    main()
