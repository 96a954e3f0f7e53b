"""Assessor agreement at the design size (issue 24): 30,000 decided applications that two
assessors scored, 31 indicators each, on PostgreSQL.

    .venv/bin/python benchmarks/seed.py --organisations 15000 --database-url URL
    .venv/bin/python benchmarks/agreement.py --database-url URL [--applications 30000]

On seed.py's decided applications, 60 assessors score in pairs: per application and
indicator a consolidated outcome is drawn from the indicator's scale (bands for rubric
indicators, met / not met / not applicable otherwise) and each assessor's own outcome equals
it except at the indicator's error rate (3 indicators of 31 are read differently); a
harsh or lenient assessor errs on their side. That is 930,000 kept pairs.

Then:
- the background job that computes the kept figures of a group (every level and body), in
  process, with the two queries it rests on;
- under gunicorn (2 sync workers, jobs to Redis with no worker, as in production while the
  worker is busy), signed in as the secretariat: the agreement page with its figures kept,
  its first view after the server starts and 20 views one at a time; a group never seen
  (it answers at once, saying a job computes it); an assessor's mirror; the list of
  assessors; each under wrk against /healthz of the same run.

Target (issue 24): the secretariat's page answers cold in <= 1 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from load import bench_app, run_wrk, serve_gunicorn, signed_in  # noqa: E402
from seed import bulk_insert  # noqa: E402

PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway account in a throwaway database
EMAIL = "agreement@bench.example.eu"
ASSESSORS = 60
READ_DIFFERENTLY = 3


def _people(app) -> tuple[list[int], int]:
    """The assessors and the secretariat member who reads the page."""
    from labelling.accounts.models import Role, hash_password
    from labelling.accounts.services import find_user_by_email, register_user
    from labelling.extensions import db

    hashed = hash_password(PASSWORD)
    ids = []
    for number in range(ASSESSORS):
        email = f"assessor-{number}@bench.example.eu"
        person = find_user_by_email(email) or register_user(
            email, f"Assessor {number:02d}", roles=(Role.ASSESSOR,), password_hash=hashed
        )
        ids.append(person.id)
    reader = find_user_by_email(EMAIL) or register_user(
        EMAIL, "Agreement Bench", roles=(Role.SECRETARIAT, Role.ADMIN), password_hash=hashed
    )
    db.session.commit()
    return ids, reader.id


def _outcome_pair(rng, scale, consolidated, error, lean):
    """An assessor's outcome: the consolidated one, or at the error rate another one (a
    band one step to the assessor's side, a verdict turned)."""
    if rng.random() >= error:
        return consolidated
    if len(scale) == 5:  # bands 0-4
        step = lean if rng.random() < 0.7 else -lean
        return min(4, max(0, consolidated + step))
    return rng.choice([value for value in scale if value != consolidated])


def seed_pairs(url: str, applications: int, seed_value: int = 24) -> dict:
    from labelling.agreement.outcomes import ORDINAL, metric_of
    from labelling.frameworks.services import current_framework

    rng = random.Random(seed_value)
    with tempfile.TemporaryDirectory() as instance:
        app = bench_app(url, instance)
        with app.app_context():
            framework = current_framework()
            indicators = [(i.code, metric_of(i)) for i in framework.indicators]
            assessors, _reader = _people(app)
            from labelling.extensions import db

            engine = db.engine
    leans = {person: rng.choice([-1, 1]) for person in assessors}
    errors = {code: rng.uniform(0.03, 0.12) for code, _metric in indicators}
    for code, _metric in rng.sample(indicators, READ_DIFFERENTLY):
        errors[code] = 0.5
    with engine.begin() as conn:
        for table in ("agreement_summary", "agreement_version", "paired_rating"):
            conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - our own table names
        decided = conn.execute(
            text(
                "SELECT id, framework_id, framework_version, level, body_id, decided_at "
                "FROM application WHERE state IN ('awarded', 'refused') ORDER BY id LIMIT :n"
            ),
            {"n": applications},
        ).all()
        rows = []
        for number, (app_id, fid, version, level, body, decided_at) in enumerate(decided):
            first, second = rng.sample(assessors, 2)
            for code, metric in indicators:
                scale = [0, 1, 2, 3, 4] if metric == ORDINAL else [0, 1, 1, 1, 2]
                consolidated = rng.choice(scale)
                rows.append(
                    (app_id, fid, version, level, body, decided_at.date(), code, metric, first,
                     second, _outcome_pair(rng, sorted(set(scale)), consolidated, errors[code],
                     leans[first]), _outcome_pair(rng, sorted(set(scale)), consolidated,
                     errors[code], leans[second]), consolidated)
                )  # fmt: skip
            if number % 5000 == 4999:
                _insert(conn, rows)
                rows = []
        _insert(conn, rows)
        conn.execute(
            text(
                "INSERT INTO agreement_version (framework_id, framework_version, generation, "
                "pairs, levels, bodies) SELECT framework_id, framework_version, 1, count(*), "
                "json_agg(DISTINCT level), CAST('[null]' AS json) FROM paired_rating "
                "GROUP BY framework_id, framework_version"
            )
        )
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(
            text("VACUUM ANALYZE paired_rating")
        )
    engine.dispose()
    return {"applications": len(decided), "pairs": len(decided) * len(indicators)}


def _insert(conn, rows) -> None:
    bulk_insert(
        conn,
        "paired_rating",
        "application_id, framework_id, framework_version, level, body_id, decided_on, "
        "indicator_code, metric, first_assessor_id, second_assessor_id, first_value, "
        "second_value, consolidated_value",
        rows,
    )


def time_the_job(url: str) -> dict:
    """The background job for the default group, and the two queries it rests on."""
    from labelling.agreement import summary
    from labelling.extensions import db
    from labelling.frameworks.services import current_framework

    with tempfile.TemporaryDirectory() as instance:
        app = bench_app(url, instance)
        with app.app_context():
            framework = current_framework()
            group = summary.Group(framework.id, framework.version)
            timings = {}
            for name, call in (
                ("stamp query", lambda: summary.stamp(group)),
                ("pair counts query", lambda: summary.pair_counts(group)),
                ("whole job", lambda: summary.compute(group)),
            ):
                started = time.perf_counter()
                call()
                timings[name] = time.perf_counter() - started
            db.session.commit()
            db.engine.dispose()
    return timings


def one_at_a_time(session, url: str, times: int, must_say: str) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        response = session.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and must_say in response.text, response.status_code
    return samples


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(0.95 * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--applications", type=int, default=30_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8032)
    args = parser.parse_args()
    url = args.database_url
    started = time.perf_counter()
    seeded = seed_pairs(url, args.applications)
    print(f"seeded in {time.perf_counter() - started:.0f} s: {seeded}")
    job = time_the_job(url)
    print("the job, in process: " + ", ".join(f"{k} {v:.2f} s" for k, v in job.items()))
    engine = create_engine(url)
    with engine.connect() as conn:
        assessor = conn.scalar(text("SELECT min(first_assessor_id) FROM paired_rating"))
        level = conn.scalar(text("SELECT min(level) FROM paired_rating"))
    engine.dispose()
    base = f"http://127.0.0.1:{args.port}"
    page = f"{base}/secretariat/agreement"
    with tempfile.TemporaryDirectory() as instance:
        server = serve_gunicorn(
            url, instance, args.port,
            TWO_FACTOR_REQUIRED="false",
            JOBS_REDIS_URL="redis://127.0.0.1:6379/14",
            JOBS_QUEUE=f"agreement-bench-{os.getpid()}",
        )  # fmt: skip
        try:
            session = signed_in(base, EMAIL, PASSWORD)
            first = one_at_a_time(session, page, 1, "applications scored by two assessors")
            kept = one_at_a_time(session, page, 20, "applications scored by two assessors")
            unseen = one_at_a_time(
                session, f"{page}?level={level}", 1, "being computed for the first time"
            )
            mirror_url = f"{base}/secretariat/agreement/assessors/{assessor}"
            mirror = one_at_a_time(session, mirror_url, 20, "applications scored with a colleague")
            listing = one_at_a_time(session, f"{page}/assessors", 5, "Assessor 0")
            cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
            runs = {
                "/healthz": ["/healthz"],
                "agreement page, figures kept": ["/secretariat/agreement"],
                "an assessor's mirror": [f"/secretariat/agreement/assessors/{assessor}"],
            }
            results = {
                name: run_wrk(
                    base, paths, args.seconds, 16, 2, Path(instance),
                    [] if name == "/healthz" else [f"Cookie: {cookie}"],
                )
                for name, paths in runs.items()
            }  # fmt: skip
        finally:
            server.terminate()
            server.wait()
    print(f"\nload average {os.getloadavg()[0]:.1f}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print("\n| one request at a time | p50 ms | p95 ms |")
    print("|---|---|---|")
    for name, samples in (
        ("agreement page, first view after the server starts", first),
        ("agreement page, figures kept (20 views)", kept),
        ("a group never seen (a job is asked for it)", unseen),
        ("an assessor's mirror (20 views)", mirror),
        ("the list of assessors (5 views)", listing),
    ):
        print(f"| {name} | {statistics.median(samples):.0f} | {_p95(samples):.0f} |")
    floor = results["/healthz"]["rps"]
    print("\n| under wrk | req/s | share of /healthz | p50 ms | p95 ms | non-2xx |")
    print("|---|---|---|---|---|---|")
    for name, figures in results.items():
        print(
            f"| {name} | {figures['rps']:,.0f} | {figures['rps'] / floor:.2f} "
            f"| {figures['p50'] / 1000:.1f} | {figures['p95'] / 1000:.1f} "
            f"| {figures['non_2xx']} |"
        )


if __name__ == "__main__":
    main()
