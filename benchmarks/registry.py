"""How fast the public registry answers at the scale of the European register.

Seeds N labelled organisations (default 2,000; about 1,500 clusters hold a label today)
straight into a fresh database, then times the registry page, the API search with facets,
a filtered text search, the statistics page and the CSV download through the WSGI app.

    .venv/bin/python benchmarks/registry.py [--organisations 2000] [--repeat 20]
    LABELLING_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench ...

Prints the median and 95th percentile per request. No target is set by the issue; the
numbers are for comparison between changes.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from labelling import create_app
from labelling.extensions import db

COUNTRIES = ["DE", "FR", "ES", "IT", "PL", "DK", "SE", "AT", "NL", "BE", "CZ", "PT", "GR", "FI"]
AREAS = ["food", "ict", "biotechnology", "energy_environment", "aviation_space", "construction"]
CITIES = ["München", "Lyon", "Bilbao", "Torino", "Kraków", "Århus", "Göteborg", "Wien"]
WORDS = ["Innovation", "Cluster", "Network", "Pôle", "Klaster", "Valley", "Alliance", "Hub"]


def seed(count: int) -> None:
    from labelling.accounts.services import register_user
    from labelling.assessments.services import current_framework
    from labelling.certificates.imports import import_label
    from labelling.organisations.services import create_organisation

    rng = random.Random(7)
    framework = current_framework()
    owner = register_user("bench@example.org", "Bench", "bench-password-123", ())
    today = date.today()
    for i in range(count):
        organisation = create_organisation(
            {
                "legal_name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}",
                "country_code": rng.choice(COUNTRIES),
                "city": rng.choice(CITIES),
                "technology_area": rng.choice(AREAS),
                "website": f"https://cluster{i}.example.org",
            },
            owner,
        )
        import_label(
            organisation,
            rng.choice(["bronze", "bronze", "silver", "gold"]),
            today - timedelta(days=rng.randint(0, 1200)),
            framework,
            owner,
            "Benchmark",
            with_certificate=False,
        )
        if i % 200 == 0:
            db.session.commit()
    db.session.commit()


def timed(client, url: str, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = os.environ.get(
            "LABELLING_BENCH_DATABASE_URL", f"sqlite:///{Path(directory) / 'bench.sqlite'}"
        )
        app = create_app(
            {"DATABASE_URL": url, "INSTANCE_PATH": directory, "RATELIMIT_ENABLED": False}
        )
        with app.app_context():
            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            seed(args.organisations)
            print(
                f"seeded {args.organisations} labelled organisations "
                f"in {time.perf_counter() - started:.1f} s on {db.engine.dialect.name}"
            )
            client = app.test_client()
            for name, path in [
                ("registry page", "/registry"),
                ("API search with facets", "/api/v1/organisations"),
                ("text + filters", "/api/v1/organisations?q=pole+valley&level=gold&country=DE"),
                ("last page, by expiry", "/api/v1/organisations?sort=valid_until&page=60"),
                ("statistics page", "/registry/statistics"),
                ("CSV download", "/api/v1/registry.csv"),
            ]:
                median, p95 = timed(client, path, args.repeat)
                print(f"{name:<24} median {median:7.1f} ms   p95 {p95:7.1f} ms")
            db.drop_all()


if __name__ == "__main__":
    main()
