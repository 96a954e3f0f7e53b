"""The staff's pages at the design size: every list the secretariat and administrators
work from, on a database seeded like the public side (`seed.py`) plus the staff's side.

    .venv/bin/python benchmarks/staff_pages.py --organisations 100000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_staff [--reuse]

Seeds `--organisations` labelled organisations with `seed.py` (unless `--reuse` names a
database this script seeded before), then adds the staff's side: a manager account for
every organisation, 400 assessors with accreditations, 3,500 applications waiting in every
open state (teams on those in assessment), 600 appeals, 3,000 complaints and 5,000
undelivered e-mails. Starts gunicorn (2 sync workers) on it, signs in as the secretariat
(with the administrator's role) and requests each page `--repeat` times, one at a time:
the first request is the cold one (the worker's first sight of the page's queries). Each
page is reported with its first, median and slowest time, its 95th percentile and its
size, beside `/healthz` measured the same way. Targets (issue 27): p95 <= 150 ms cold,
<= 300 KB of HTML.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from chain_pages import _environment, _serve
from load import bench_app, signed_in
from seed import seed, vacuum

SECRETARIAT = ("secretariat@bench.example.eu", "bench-password-123")
TARGET_MS, TARGET_KB = 150, 300
MARK = "bench-staff-side"  # an appeal's decision key: the staff's side is seeded


def _now() -> datetime:
    return datetime.now(UTC)


def _copy_rows(conn, table, rows: list[dict]) -> None:
    """Core inserts in batches (the columns' Python defaults apply)."""
    for start in range(0, len(rows), 5000):
        conn.execute(table.insert(), rows[start : start + 5000])


def _like(conn, table, where: str, count: int, **changes) -> list[dict]:
    """`count` new rows made from existing ones of `table` (so that every column the
    model needs is there), with `changes` applied and without their ids."""
    from sqlalchemy import text

    found = conn.execute(
        text(f"SELECT * FROM {table.name} WHERE {where} ORDER BY id LIMIT :n"),  # noqa: S608
        {"n": count},
    ).mappings()
    rows = []
    for row in found:
        made = {key: value for key, value in row.items() if key != "id"}
        made.update(
            {key: value(made) if callable(value) else value for key, value in changes.items()}
        )
        rows.append(made)
    return rows


def seed_staff_side(url: str, instance: str) -> float:
    """The staff's side on a seeded database; returns the seconds it took."""
    from sqlalchemy import func, select, text

    from labelling import create_app
    from labelling.accounts.models import hash_password
    from labelling.extensions import db

    started = time.perf_counter()
    rng = random.Random(27)
    app = create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": instance,
            "SECRET_KEY": "a-benchmark-key-for-this-throwaway-run",
            "BASE_URL": "http://127.0.0.1:8000",
            "DATABASE_STATEMENT_TIMEOUT_MS": 0,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        }
    )
    tables = db.metadata.tables
    with app.app_context(), db.engine.begin() as conn:
        now, today = _now(), date.today()
        secretariat = conn.execute(
            text('SELECT id FROM "user" WHERE email = :e'), {"e": SECRETARIAT[0]}
        ).scalar_one()
        conn.execute(tables["user_role"].insert(), [{"user_id": secretariat, "role": "admin"}])
        organisations = [
            row[0] for row in conn.execute(text("SELECT id FROM organisation ORDER BY id"))
        ]
        hashed = hash_password("bench-password-123")

        # A manager for every organisation.
        first_user = conn.execute(select(func.max(tables["user"].c.id))).scalar_one() + 1
        users = [
            {"email": f"manager{n}@clusters.bench.example.eu", "full_name": f"Manager {n:06d}",
             "password_hash": hashed, "is_enabled": True}
            for n in range(len(organisations))
        ]  # fmt: skip
        _copy_rows(conn, tables["user"], users)
        ids = range(first_user, first_user + len(users))
        _copy_rows(
            conn, tables["user_role"], [{"user_id": i, "role": "cluster_manager"} for i in ids]
        )
        _copy_rows(
            conn,
            tables["organisation_membership"],
            [
                {"organisation_id": o, "user_id": u, "role": "manager"}
                for o, u in zip(organisations, ids, strict=True)
            ],
        )

        # 400 assessors with an accreditation each.
        first_assessor = first_user + len(users)
        assessors = [
            {"email": f"assessor{n}@assessors.bench.example.eu", "full_name": f"Assessor {n:03d}",
             "password_hash": hashed, "is_enabled": True}
            for n in range(400)
        ]  # fmt: skip
        _copy_rows(conn, tables["user"], assessors)
        assessor_ids = list(range(first_assessor, first_assessor + 400))
        _copy_rows(
            conn, tables["user_role"], [{"user_id": i, "role": "assessor"} for i in assessor_ids]
        )
        countries = ["DE", "ES", "FR", "IT", "PL", "AT", "SE", "DK"]
        _copy_rows(
            conn,
            tables["assessor_profile"],
            [{"user_id": i, "country_code": rng.choice(countries), "languages": ["en"],
              "technology_areas": []} for i in assessor_ids],
        )  # fmt: skip
        profiles = [
            row[0] for row in conn.execute(text("SELECT id FROM assessor_profile ORDER BY id"))
        ]
        _copy_rows(
            conn,
            tables["accreditation"],
            [{"profile_id": p, "role": rng.choice(["auditor", "benchmarking_expert"]),
              "issued_on": (issued := today - timedelta(days=rng.randint(30, 900))),
              "expires_on": issued + timedelta(days=rng.randint(300, 1500))} for p in profiles],
        )  # fmt: skip

        # 3,500 applications waiting, made from awarded ones; teams on those in assessment.
        waiting = []
        for state, count in (("submitted", 800), ("screening", 700), ("in_assessment", 1200),
                             ("more_information", 300), ("assessed", 500)):  # fmt: skip
            waiting += _like(
                conn, tables["application"], "state = 'awarded'", count, state=state,
                submitted_at=lambda _row: now - timedelta(minutes=rng.randint(1, 200_000)),
            )  # fmt: skip
        rng.shuffle(waiting)
        _copy_rows(conn, tables["application"], waiting)
        teamed = "state IN ('in_assessment', 'more_information', 'assessed')"
        in_assessment = list(
            conn.scalars(text(f"SELECT id FROM application WHERE {teamed}"))  # noqa: S608
        )
        teams = []
        for application_id in in_assessment:
            for is_lead, assessor in zip((True, False), rng.sample(assessor_ids, 2), strict=True):
                teams.append({"application_id": application_id, "assessor_id": assessor,
                              "is_lead": is_lead, "status": "accepted", "responded_at": now,
                              "no_conflict_declared_at": now})  # fmt: skip
        _copy_rows(conn, tables["assignment"], teams)

        # 600 appeals against labels (400 open), 3,000 complaints, 5,000 undelivered e-mails.
        labels = conn.execute(
            text("SELECT id, organisation_id FROM label ORDER BY random() LIMIT 3600")
        ).all()
        appeals = []
        for n, (label_id, organisation_id) in enumerate(labels[:600]):
            state = ["lodged", "under_review", "upheld", "overturned"][n % 4 if n >= 400 else n % 2]
            decided = state in ("upheld", "overturned")
            appeals.append({
                "organisation_id": organisation_id, "label_id": label_id, "subject": "revocation",
                "decision_key": f"{MARK}-{n}", "decision_made_at": now, "state": state,
                "grounds": "The revocation misread our accounts.", "lodged_at": now,
                "due_on": today + timedelta(days=rng.randint(-30, 60)),
                "outcome_reason": "Decided." if decided else None,
                "decided_by_id": secretariat if decided else None,
                "decided_at": now if decided else None,
            })  # fmt: skip
        _copy_rows(conn, tables["appeal"], appeals)
        complaints = []
        for n, (_label_id, organisation_id) in enumerate(labels[600:]):
            state = ["received", "under_review", "closed", "closed"][n % 4]
            complaints.append({
                "organisation_id": organisation_id, "name": f"Complainant {n}",
                "email": f"complainant{n}@example.net", "text": "It claims a label it lost.",
                "state": state, "confirmed_at": now - timedelta(hours=n),
                "outcome": "Checked." if state == "closed" else None,
                "closed_at": now if state == "closed" else None,
            })  # fmt: skip
        _copy_rows(conn, tables["complaint"], complaints)
        _copy_rows(
            conn,
            tables["outbox_message"],
            [{"recipient": f"manager{n}@clusters.bench.example.eu", "template": "password_reset",
              "subject": "Reset your password", "body_text": "...", "attempts": 3,
              "status": ["failed", "given_up", "unconfirmed"][n % 3],
              "last_error": "451 Try again later", "message_id": f"<{MARK}-{n}@bench>"}
             for n in range(5000)],
        )  # fmt: skip
        for table in ("user", "application", "assessor_profile"):
            latest = f'SELECT max(id) FROM "{table}"'  # noqa: S608 - our own table names
            conn.execute(
                text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), ({latest}))")
            )
    with app.app_context():
        vacuum(db.engine)
    return time.perf_counter() - started


def staff_pages() -> list[str]:
    return [
        "/dashboard",
        "/secretariat/labels/",
        "/secretariat/labels/?status=active&expiring_within=90",
        "/secretariat/labels/?q=cluster&country=DE",
        "/secretariat/labels/?q=zzzz",
        "/organisations/",
        "/organisations/?q=food&country=FR",
        "/admin/users",
        "/admin/users?q=manager 0123",
        "/admin/users?role=assessor",
        "/secretariat/applications?queue=screening",
        "/secretariat/applications?queue=assessment",
        "/secretariat/applications?queue=decision",
        "/secretariat/applications?queue=decided",
        "/secretariat/applications?queue=decided&country=PL&level=gold",
        "/secretariat/appeals",
        "/secretariat/appeals?show=decided",
        "/secretariat/complaints",
        "/secretariat/complaints?show=closed",
        "/assessors/",
        "/assessors/?status=active&role=auditor",
        "/secretariat/deliveries/",
        "/secretariat/accountability",
    ]


def _measure(session: requests.Session, url: str, repeat: int) -> dict:
    samples, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        response = session.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        size = len(response.content)
    ordered = sorted(samples)
    return {
        "first": samples[0],
        "median": statistics.median(samples),
        "p95": ordered[max(0, round(0.95 * len(ordered)) - 1)],
        "slowest": ordered[-1],
        "kb": size / 1024,
    }


def _next_page(session: requests.Session, base: str, url: str) -> str | None:
    found = re.search(r'<a rel="next" href="([^"]+)"', session.get(base + url).text)
    return found.group(1).replace("&amp;", "&") if found else None


def keep_figures_as_a_worker(database_url: str, instance: str, redis_url: str) -> None:
    """What a worker does at a scheduler's tick: the accountability figures, kept."""
    from labelling.jobs.queue import perform

    app = bench_app(database_url, instance, CACHE_REDIS_URL=redis_url)
    with app.app_context():
        from labelling.extensions import cache

        cache.clear()  # what an earlier run kept (its "refreshed" stamp too)
        perform("registry.accountability")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organisations", type=int, default=100_000)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--reuse", action="store_true", help="the database is seeded already")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8097)
    parser.add_argument(
        "--cache-redis-url",
        help="the server's cache in Redis (production's shape), with the figures a worker "
        "keeps fresh at the scheduler's ticks made first",
    )
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="labelling-staff-")
    if not args.reuse:
        times = seed(args.database_url, args.organisations, instance)
        print(f"seeded {args.organisations:,} organisations in {times['total']:.0f} s")
        print(f"staff's side seeded in {seed_staff_side(args.database_url, instance):.0f} s")
    environment = _environment(args.database_url, instance, args.port)
    if args.cache_redis_url:
        environment["LABELLING_CACHE_REDIS_URL"] = args.cache_redis_url
        keep_figures_as_a_worker(args.database_url, instance, args.cache_redis_url)
    server = _serve(environment, args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    try:
        session = signed_in(base, *SECRETARIAT)
        urls = staff_pages()
        for listing in ("/secretariat/labels/", "/organisations/", "/admin/users"):
            following = _next_page(session, base, listing)
            if following:
                urls.append(following)  # a second page, by its cursor
        health = _measure(session, base + "/healthz", args.repeat)
        print(f"{'page':<62} {'first':>7} {'median':>7} {'p95':>7} {'slowest':>8} {'KB':>7}")
        failing = []
        for url in urls:
            figures = _measure(session, base + url, args.repeat)
            flag = "" if figures["p95"] <= TARGET_MS and figures["kb"] <= TARGET_KB else "  over"
            failing += [url] if flag else []
            print(
                f"{url[:62]:<62} {figures['first']:7.1f} {figures['median']:7.1f} "
                f"{figures['p95']:7.1f} {figures['slowest']:8.1f} {figures['kb']:7.1f}{flag}"
            )
        print(
            f"{'/healthz':<62} {health['first']:7.1f} {health['median']:7.1f} {health['p95']:7.1f}"
        )
        print("PASS" if not failing else f"FAIL: {len(failing)} pages over the targets")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
