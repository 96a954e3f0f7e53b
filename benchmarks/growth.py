"""How the public routes grow with the register: cold requests at 1,000 to 100,000.

    .venv/bin/python benchmarks/growth.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
        [--sizes 1000,10000,100000] [--repeat 15] [--reuse]

For each size it seeds a database of its own (`labelling_growth_<size>`, next to the one
named; with a SQLite URL, files in a temporary folder) with `seed.py`, then requests each
public route in-process through the WSGI app, every time *cold*: right after a real data
change (an organisation's website edited through the ORM, which moves the registry's
data version) and with the cache emptied. It prints the median and 95th percentile per
route and size, the SQL statements each request ran, and the growth from the smallest
to the largest size. It also streams the whole-register CSV and reports its time and
the peak of memory allocated while streaming (tracemalloc), to show it stays flat.

Targets (issue 11, at 100,000): cold p95 <= 150 ms on every route; the registry page
grows <= 3x from 1,000 to 100,000; the CSV of 100,000 rows in <= 3 s, constant memory.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import create_engine, event, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
import seed as seeding  # the seeding script beside this one

ROUTES = [
    ("registry page", lambda s: "/registry"),
    ("registry, words + level", lambda s: "/registry?q=cluster&level=gold"),
    ("registry, filters + sort + page", lambda s: "/registry?country=DE&sort=-level&page=3"),
    ("API search", lambda s: "/api/v1/organisations?per_page=20"),
    ("API search, cursor", lambda s: f"/api/v1/organisations?cursor={s['cursor']}"),
    ("statistics", lambda s: "/registry/statistics"),
    ("verify page", lambda s: f"/verify/{s['number']}"),
    ("API certificate", lambda s: f"/api/v1/certificates/{s['number']}"),
    ("organisation page", lambda s: f"/registry/organisations/{s['organisation']}"),
    ("API organisation", lambda s: f"/api/v1/organisations/{s['organisation']}"),
    ("seal", lambda s: f"/seal/{s['label']}.svg"),
]


def database_for(base_url: str, size: int, folder: Path) -> str:
    """A database of its own per size: created next to base_url on PostgreSQL."""
    if base_url.startswith("sqlite"):
        return f"sqlite:///{folder / f'growth_{size}.sqlite'}"
    name = f"labelling_growth_{size}"
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    head, _slash, _tail = base_url.rpartition("/")
    return f"{head}/{name}"


def organisations_in(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text("SELECT count(*) FROM organisation")) or 0
    except Exception:  # no schema yet
        return 0
    finally:
        engine.dispose()


def samples(app, rng: random.Random) -> dict:
    """Existing things to ask for: listed organisations, their labels and certificates."""
    from datetime import date

    from labelling.extensions import db
    from labelling.registry.models import RegistryEntry

    today = date.today()
    with app.app_context():
        rows = db.session.execute(
            select(
                RegistryEntry.organisation_id,
                RegistryEntry.label_id,
                RegistryEntry.certificate_number,
            ).where(
                RegistryEntry.shown_from <= today,
                RegistryEntry.shown_until >= today,
                RegistryEntry.certificate_number.isnot(None),
            )
        ).all()
    client = app.test_client()
    cursor = client.get("/api/v1/organisations?per_page=20&page=5").get_json()["next_cursor"]
    return {"rows": rows, "cursor": cursor, "rng": rng}


def change_the_data(app, organisation_id: int) -> None:
    """A real edit of public facts: the registry's rows and data version move on."""
    from labelling.extensions import cache, db
    from labelling.organisations.models import Organisation

    with app.app_context():
        organisation = db.session.get(Organisation, organisation_id)
        organisation.website = f"https://cluster-{organisation_id}-{time.time_ns()}.example.eu"
        db.session.commit()
        cache.clear()


def time_route(app, route, sample: dict, repeat: int, counter: list[int]) -> dict:
    client = app.test_client()
    # One untimed request first: templates compile once per process, not per change.
    organisation, label, number = sample["rows"][0]
    client.get(
        route(
            {
                "organisation": organisation,
                "label": label,
                "number": number,
                "cursor": sample["cursor"],
            }
        )
    )
    times, statements = [], []
    for _ in range(repeat):
        organisation, label, number = sample["rng"].choice(sample["rows"])
        values = {
            "organisation": organisation,
            "label": label,
            "number": number,
            "cursor": sample["cursor"],
        }
        change_the_data(app, sample["rng"].choice(sample["rows"])[0])
        path = route(values)
        counter[0] = 0
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}")
        times.append(elapsed)
        statements.append(counter[0])
    times.sort()
    return {
        "median": statistics.median(times),
        "p95": times[max(0, round(0.95 * len(times)) - 1)],
        "statements": max(statements),
    }


def stream_csv(app) -> tuple[float, float, int]:
    """Seconds and rows of the whole-register CSV, then the peak of memory allocated
    while streaming it again under tracemalloc (which slows Python down, hence the
    second pass)."""
    client = app.test_client()

    def download() -> int:
        response = client.get("/api/v1/registry.csv", buffered=False)
        lines = sum(chunk.count(b"\n") for chunk in response.response)
        response.close()
        return lines - 1

    started = time.perf_counter()
    rows = download()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    download()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 1e6, rows


def measure(url: str, size: int, repeat: int, reuse: bool, instance: str) -> dict:
    from labelling import create_app
    from labelling.extensions import db

    if not (reuse and organisations_in(url) == size):
        times = seeding.seed(url, size, instance)
        print(f"  seeded {size:,} in {times['total']:.1f} s", flush=True)
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": instance,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": "a-benchmark-key-for-this-throwaway-run",
            "BASE_URL": "http://127.0.0.1:8000",  # links are made; none is followed
        }
    )
    counter = [0]
    with app.app_context():

        @event.listens_for(db.engine, "before_cursor_execute")
        def count(*_args):
            counter[0] += 1

    sample = samples(app, random.Random(size))
    results = {name: time_route(app, route, sample, repeat, counter) for name, route in ROUTES}
    change_the_data(app, sample["rows"][0][0])
    results["whole-register CSV"] = stream_csv(app)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="keep a database already seeded")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    folder = Path(tempfile.mkdtemp())
    by_size = {}
    for size in sizes:
        print(f"size {size:,} (load average {os.getloadavg()[0]:.2f})", flush=True)
        url = database_for(args.database_url, size, folder)
        by_size[size] = measure(url, size, args.repeat, args.reuse, str(folder / f"i{size}"))
    first, last = sizes[0], sizes[-1]
    header = " | ".join(f"{size:,}: median / p95 ms (SQL)" for size in sizes)
    print(f"\n| route | {header} | growth {first:,} -> {last:,} (median) |")
    print("|---" * (len(sizes) + 2) + "|")
    for name, _route in ROUTES:
        cells = " | ".join(
            f"{by_size[s][name]['median']:.1f} / {by_size[s][name]['p95']:.1f} "
            f"({by_size[s][name]['statements']})"
            for s in sizes
        )
        growth = by_size[last][name]["median"] / by_size[first][name]["median"]
        print(f"| {name} | {cells} | {growth:.1f}x |")
    downloads = [by_size[size]["whole-register CSV"] for size in sizes]
    cells = " | ".join(
        f"{seconds:.2f} s, peak {peak:.1f} MB ({rows:,} rows)" for seconds, peak, rows in downloads
    )
    print(f"| whole-register CSV | {cells} | |")
    print(f"\nload average after the run: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
