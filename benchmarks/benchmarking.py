"""Time to build a benchmarking report with N benchmarked organisations.

Seeds N organisations (default 10,000) with one submitted application each and realistic
figures (member counts log-normal around 100, shares between 0 and 100 %, rubric bands
0-4, budgets log-normal around EUR 400,000, ...) straight into a fresh database, in bulk.
Then, signed in as one organisation's manager, it fetches that organisation's report page
for every peer group through the WSGI app: with the peer summary kept (the usual case) and
right after a data change (the summary is rebuilt by the request).

    .venv/bin/python benchmarks/benchmarking.py [--organisations 10000] [--repeat 10]
    LABELLING_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench ...

Target (issue 6): under 300 ms per report at 10,000 organisations.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select

from labelling import create_app
from labelling.extensions import db

COUNTRIES = ["DE", "FR", "ES", "IT", "PL", "DK", "SE", "AT", "NL", "BE", "CZ", "PT", "GR", "FI"]
AREAS = [
    "food",
    "ict",
    "biotechnology",
    "energy_environment",
    "aviation_space",
    "construction",
    "health_medical",
    "production_engineering",
    "transport_logistics",
]
PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway account in a throwaway database


def figure(rng: random.Random, metric) -> float:
    """A plausible value for the metric, from its unit and kind."""
    unit = metric.unit or ""
    if metric.key.startswith("members_"):
        return round(rng.lognormvariate(2.0, 1.0))  # per member type: about 100 in all
    if "%" in unit:
        return round(100 * rng.betavariate(2, 3), 1)
    if unit == "EUR":
        return round(rng.lognormvariate(12.9, 0.8), 0)
    if unit == "FTE":
        return round(rng.lognormvariate(1.2, 0.6), 1)
    if "year" in unit:
        return rng.randint(0, 25)
    if unit == "" and metric.indicator_code and metric.higher_is_better is not None:
        return rng.randint(0, 4)  # a rubric band
    return round(rng.lognormvariate(3.8, 0.9))  # counts: members, events, stories ...


def seed(count: int, seed_value: int = 11) -> int:
    """Bulk-insert organisations, submitted applications and their benchmark figures;
    return the id of the first application (the one whose report is timed)."""
    from labelling.accounts.models import Role
    from labelling.accounts.services import register_user
    from labelling.assessments.models import Application
    from labelling.benchmarking.metrics import benchmark_metrics
    from labelling.benchmarking.models import BenchmarkEntry, BenchmarkValue
    from labelling.benchmarking.peers import size_band
    from labelling.certificates.models import Label
    from labelling.frameworks.services import current_framework
    from labelling.organisations.models import Membership, Organisation

    rng = random.Random(seed_value)
    framework = current_framework()
    metrics = benchmark_metrics(framework)
    manager = register_user("bench@example.org", "Bench Manager", PASSWORD, (Role.CLUSTER_MANAGER,))
    db.session.flush()
    now = datetime.now(UTC)
    today = now.date()
    batch = 1000
    first_application = None
    for start in range(0, count, batch):
        size = min(batch, count - start)
        organisations = []
        for i in range(start, start + size):
            name = f"Benchmark Cluster {i}"
            city = "Bench City"
            organisations.append(
                {
                    "legal_name": name,
                    "country_code": rng.choice(COUNTRIES),
                    "city": city,
                    "technology_area": rng.choice(AREAS),
                    "created_at": now,
                    "updated_at": now,
                }
            )
        org_ids = list(
            db.session.scalars(insert(Organisation).returning(Organisation.id), organisations)
        )
        if start == 0:
            db.session.add(
                Membership(organisation_id=org_ids[0], user_id=manager.id, role="manager")
            )
        application_rows = [
            {
                "organisation_id": org_id,
                "level": "bronze",
                "kind": "new",
                "framework_id": framework.id,
                "framework_version": framework.version,
                "framework_digest": framework.digest,
                "state": "submitted",
                "created_by_id": manager.id,
                "submitted_at": now,
                "created_at": now,
                "updated_at": now,
                "row_version": 1,
            }
            for org_id in org_ids
        ]
        app_ids = list(
            db.session.scalars(insert(Application).returning(Application.id), application_rows)
        )
        first_application = first_application or app_ids[0]
        entry_rows, figures = [], []
        for org, org_id, app_id in zip(organisations, org_ids, app_ids, strict=True):
            values = {metric.key: figure(rng, metric) for metric in metrics}
            members = sum(v for k, v in values.items() if k.startswith("members_"))
            values["total_members"] = members
            band = size_band(members)
            entry_rows.append(
                {
                    "application_id": app_id,
                    "organisation_id": org_id,
                    "framework_id": framework.id,
                    "framework_version": framework.version,
                    "is_current": True,
                    "is_final": False,
                    "year": rng.choice([2023, 2024, 2025, 2026]),
                    "technology_area": org["technology_area"],
                    "country_code": org["country_code"],
                    "size_band": band,
                    "holds_gold": rng.random() < 0.08,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            figures.append(values)
        entry_ids = list(
            db.session.scalars(insert(BenchmarkEntry).returning(BenchmarkEntry.id), entry_rows)
        )
        value_rows = [
            {
                "entry_id": entry_id,
                "organisation_id": row["organisation_id"],
                "metric": key,
                "value": float(value),
                "is_verified": False,
                "framework_id": framework.id,
                "is_current": True,
                "technology_area": row["technology_area"],
                "country_code": row["country_code"],
                "size_band": row["size_band"],
                "holds_gold": row["holds_gold"],
            }
            for entry_id, row, values in zip(entry_ids, entry_rows, figures, strict=True)
            for key, value in values.items()
        ]
        db.session.execute(insert(BenchmarkValue), value_rows)
        # About 8 % hold a Gold label: the excellence group.
        gold = [
            {
                "organisation_id": row["organisation_id"],
                "application_id": row["application_id"],
                "level": "gold",
                "framework_id": framework.id,
                "framework_version": framework.version,
                "assessment_date": today,
                "valid_from": today,
                "valid_until": today.replace(year=today.year + 2),
                "status": "active",
                "created_at": now,
            }
            for row in entry_rows
            if row["holds_gold"]
        ]
        if gold:
            db.session.execute(insert(Label), gold)
        db.session.commit()
    return first_application


def timed(call, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = os.environ.get(
            "LABELLING_BENCH_DATABASE_URL", f"sqlite:///{Path(directory) / 'bench.sqlite'}"
        )
        app = create_app(
            {
                "DATABASE_URL": url,
                "INSTANCE_PATH": directory,
                "SECRET_KEY": "a-benchmark-key-for-this-throwaway-run",
                "BASE_URL": "http://127.0.0.1:8000",  # links are made; none is followed
                "RATELIMIT_ENABLED": False,
                "WTF_CSRF_ENABLED": False,
            }
        )
        with app.app_context():
            from labelling.assessments.models import Application
            from labelling.assessments.services import framework_of
            from labelling.benchmarking.peers import GROUP_KINDS, data_changed
            from labelling.benchmarking.services import peer_view

            db.drop_all()
            db.create_all()
            started = time.perf_counter()
            app_id = seed(args.organisations)
            seconds = time.perf_counter() - started
            # Fresh planner statistics (and PostgreSQL's visibility map, which lets index-only
            # scans skip the table), as autovacuum would leave them.
            db.session.commit()
            vacuum = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as raw:
                raw.execute(db.text(vacuum))
            print(
                f"seeded {args.organisations} benchmarked organisations in {seconds:.1f} s "
                f"on {db.engine.dialect.name}"
            )
            application = db.session.scalar(select(Application).where(Application.id == app_id))
            framework = framework_of(application)
            client = app.test_client()
            client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
            print(
                f"{'peer group':<16} {'peers':>6}  {'report, summary kept':>26}"
                f"  {'report, data just changed':>26}"
            )
            for kind in GROUP_KINDS:
                view = peer_view(application, framework, kind)

                def page(kind=kind):
                    response = client.get(f"/applications/{app_id}/benchmarking?group={kind}")
                    assert response.status_code == 200, response.status_code

                def page_after_change(kind=kind):
                    data_changed()  # as after a submission: the summary is rebuilt
                    db.session.commit()
                    page(kind)

                page()  # the summary for this group is built
                warm = timed(page, args.repeat)
                cold = timed(page_after_change, args.repeat)
                print(
                    f"{kind:<16} {view.group.n:>6}  "
                    f"median {warm[0]:5.0f} p95 {warm[1]:5.0f} ms  "
                    f"median {cold[0]:5.0f} p95 {cold[1]:5.0f} ms"
                )
            db.session.remove()
            db.drop_all()


if __name__ == "__main__":
    main()
