"""Twinning at the design size: suggestions and the plan page under gunicorn on PostgreSQL.

    .venv/bin/python benchmarks/seed.py --organisations 100000 --database-url URL
    .venv/bin/python benchmarks/twinning.py --database-url URL [--every 5] [--seconds 10]

On a database `seed.py` filled, every organisation gets a decided benchmarking (one final
entry, from its first application) and strong and weak indicators (8 strong, 4 weak of the
framework's 31, drawn per organisation); every `--every`-th organisation opts in (20,000 of
100,000): it wants its weak indicators and offers its strong ones, works in English and
its country's language, mostly prefers partners abroad, takes 2 or 3 partnerships. For
every five organisations taking part one partnership runs (with two plan activities),
a quarter of a request waits and half of one was declined a month ago. One manager
account belongs to every opted-in organisation.

Then, under gunicorn (2 sync workers) with wrk, as that manager:
- `/healthz`, the floor of the same run;
- suggestions warm: 20 organisations asked again and again;
- suggestions cold: thousands of distinct organisations, each asked once in the run;
- the plan page of distinct running partnerships;
and, one request at a time, the first view of the suggestions after a change to that
organisation's profile (its version moved on in the database): p50 and p95 of 200.

Targets (issue 23): suggestions p95 <= 150 ms cold; warm throughput >= 0.30 of /healthz.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from load import bench_app, run_wrk, serve_gunicorn, signed_in  # noqa: E402
from seed import bulk_insert  # noqa: E402

PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway account in a throwaway database
EMAIL = "twinning@bench.example.eu"
NATIONAL = {
    "DE": "de", "AT": "de", "FR": "fr", "BE": "fr", "ES": "es", "IT": "it", "PL": "pl",
    "NL": "nl", "SE": "sv", "DK": "da", "FI": "fi", "CZ": "cs", "PT": "pt", "NO": "no",
}  # fmt: skip


def seed_twinning(url: str, every: int, seed_value: int = 23) -> dict:
    """Twinning rows on top of seed.py's organisations; returns what was added."""
    from labelling.accounts.models import Role
    from labelling.accounts.services import find_user_by_email, register_user
    from labelling.extensions import db
    from labelling.frameworks.services import current_framework
    from labelling.twinning.profiles import bits_for
    from labelling.twinning.rules import code_mask, language_mask

    rng = random.Random(seed_value)
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as instance:
        app = bench_app(url, instance)
        with app.app_context():
            framework = current_framework()
            codes = [indicator.code for indicator in framework.indicators]
            bits = bits_for(framework.id)
            user = find_user_by_email(EMAIL) or register_user(
                EMAIL, "Twinning Bench", PASSWORD, (Role.CLUSTER_MANAGER,)
            )
            db.session.commit()
            user_id = user.id
            engine = db.engine
    organisations = []
    with engine.begin() as conn:
        _clear(conn, user_id)
        rows = conn.execute(
            text(
                "SELECT o.id, o.country_code, o.technology_area, min(a.id) FROM organisation o "
                "JOIN application a ON a.organisation_id = o.id GROUP BY o.id ORDER BY o.id"
            )
        ).all()
        entries, marks, profiles, members = [], [], [], []
        for organisation_id, country, area, application_id in rows:
            entries.append(
                (organisation_id, application_id, organisation_id, framework.id,
                 framework.version, True, True, now.year - 1, area, country, "50-99", False,
                 now, now)
            )  # fmt: skip
            drawn = rng.sample(codes, 12)
            strong, weak = drawn[:8], drawn[8:]
            for code in strong:
                marks.append((organisation_id, application_id, framework.id, code, "gold"))
            for code in weak:
                marks.append(
                    (organisation_id, application_id, framework.id, code, "bottom_quartile")
                )
            if organisation_id % every:
                continue
            organisations.append((organisation_id, country))
            choice = rng.choices(["prefer_abroad", "anywhere", "same_country"], [80, 15, 5])[0]
            mask = language_mask(["en", NATIONAL.get(country, "en")])
            same_area_only = rng.random() < 0.05
            profiles.append(
                (organisation_id, True, framework.id, framework.version, _json(weak),
                 _json(strong), code_mask(weak, bits), code_mask(strong, bits), mask, country,
                 area, choice, same_area_only, rng.choice([2, 3]), 1,
                 now, now)
            )  # fmt: skip
            members.append((organisation_id, user_id, "manager", now))
        bulk_insert(
            conn,
            "benchmark_entry",
            "id, application_id, organisation_id, framework_id, framework_version, is_current, "
            "is_final, year, technology_area, country_code, size_band, holds_gold, created_at, "
            "updated_at",
            entries,
        )
        bulk_insert(
            conn,
            "twinning_mark",
            "organisation_id, application_id, framework_id, indicator_code, basis",
            marks,
        )
        bulk_insert(
            conn,
            "twinning_profile",
            "organisation_id, is_active, framework_id, framework_version, wants, offers, "
            "wants_mask, offers_mask, language_mask, country_code, technology_area, "
            "country_choice, same_area_only, capacity, version, created_at, updated_at",
            profiles,
        )
        bulk_insert(
            conn, "organisation_membership", "organisation_id, user_id, role, created_at", members
        )
        partnerships, activities = _partnerships(rng, organisations, framework.id, now)
        bulk_insert(
            conn,
            "partnership",
            "id, requester_id, partner_id, pair_key, framework_id, state, message, targets, "
            "answered_at, starts_on, requester_entry_id, partner_entry_id, created_at, "
            "row_version",
            partnerships,
        )
        bulk_insert(
            conn,
            "plan_activity",
            "partnership_id, kind, title, starts_on, created_at",
            activities,
        )
        for table in ("benchmark_entry", "partnership"):
            conn.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                     f"(SELECT max(id) FROM {table}))")
            )  # fmt: skip
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return {
        "entries": len(entries),
        "marks": len(marks),
        "opted_in": len(profiles),
        "partnerships": len(partnerships),
    }


def _clear(conn, user_id: int) -> None:
    """What an earlier run of this script left, so that it can run again."""
    for table in ("plan_activity", "partnership", "twinning_mark", "twinning_profile",
                  "benchmark_entry"):  # fmt: skip
        conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - our own table names
    conn.execute(
        text("DELETE FROM organisation_membership WHERE user_id = :user"), {"user": user_id}
    )


def _json(codes: list[str]) -> str:
    return "[" + ", ".join(f'"{code}"' for code in codes) + "]"


def _partnerships(rng, organisations, framework_id, now):
    """Per five organisations taking part: one partnership running (two activities each),
    a quarter of one waiting, half of one declined a month ago (4,000, 1,000 and 2,000 of
    20,000)."""
    rows, activities, taken = [], [], set()
    count = len(organisations)
    states = (
        ["active"] * (count // 5) + ["requested"] * (count // 20) + ["declined"] * (count // 10)
    )
    for number, state in enumerate(states, start=1):
        while True:
            (first, _c1), (second, _c2) = rng.sample(organisations, 2)
            key = f"{min(first, second)}-{max(first, second)}"
            if key not in taken:
                taken.add(key)
                break
        answered = None if state == "requested" else now - timedelta(days=30)
        starts = (now - timedelta(days=30)).date() if state == "active" else None
        rows.append(
            (number, first, second, key, framework_id, state, "Shall we twin?", '["2.2.3"]',
             answered, starts, first, second, now - timedelta(days=40), 1)
        )  # fmt: skip
        if state == "active":
            for kind, days in (("visit", 30), ("workshop", 90)):
                activities.append(
                    (number, kind, f"A {kind}", date.today() + timedelta(days=days), now)
                )
    return rows, activities


def first_views(base: str, session, url: str, ids: list[int]) -> list[float]:
    """The first view after a change: the profile's version moves on, then the page."""
    engine = create_engine(url)
    samples = []
    for organisation_id in ids:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE twinning_profile SET version = version + 1 WHERE organisation_id = :id"
                ),
                {"id": organisation_id},
            )
        start = time.perf_counter()
        response = session.get(f"{base}/organisations/{organisation_id}/twinning/suggestions")
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        assert '<li class="card">' in response.text
    engine.dispose()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--every", type=int, default=5, help="one organisation in N opts in")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8031)
    parser.add_argument("--skip-seed", action="store_true", help="the rows are there already")
    args = parser.parse_args()
    url = args.database_url
    if not args.skip_seed:
        started = time.perf_counter()
        added = seed_twinning(url, args.every)
        print(f"seeded in {time.perf_counter() - started:.0f} s: {added}")
    engine = create_engine(url)
    with engine.connect() as conn:
        opted = list(conn.scalars(text("SELECT organisation_id FROM twinning_profile")))
        plans = list(conn.scalars(text("SELECT id FROM partnership WHERE state = 'active'")))
    engine.dispose()
    rng = random.Random(5)
    rng.shuffle(opted)
    rng.shuffle(plans)
    base = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory() as instance:
        server = serve_gunicorn(url, instance, args.port)
        try:
            session = signed_in(base, EMAIL, PASSWORD)
            cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
            folder = Path(instance)
            cold = first_views(base, session, url, opted[:200])
            warm_ids = opted[200:220]
            for organisation_id in warm_ids:
                session.get(f"{base}/organisations/{organisation_id}/twinning/suggestions")
            suggestions = "/organisations/{}/twinning/suggestions"
            runs = {
                "/healthz": ["/healthz"],
                "/account (signed-in floor)": ["/account"],
                "suggestions, warm (20 organisations)": [suggestions.format(i) for i in warm_ids],
                "suggestions, each organisation once": [suggestions.format(i) for i in opted[220:]],
                "plan page, distinct partnerships": [f"/twinning/{i}" for i in plans],
            }
            results = {}
            for name, paths in runs.items():
                cookie_header = [] if name == "/healthz" else [f"Cookie: {cookie}"]
                results[name] = run_wrk(base, paths, args.seconds, 16, 2, folder, cookie_header)
        finally:
            server.terminate()
            server.wait()
    load = os.getloadavg()[0]
    print(f"\nload average {load:.1f}; first view after a change, 200 organisations one by one:")
    ordered = sorted(cold)
    print(
        f"  p50 {statistics.median(cold):.1f} ms, p95 {ordered[int(0.95 * len(ordered)) - 1]:.1f}"
        f" ms, max {ordered[-1]:.1f} ms"
    )
    floor = results["/healthz"]["rps"]
    print("\n| route | req/s | share of /healthz | p50 ms | p95 ms | non-2xx |")
    print("|---|---|---|---|---|---|")
    for name, figures in results.items():
        print(
            f"| {name} | {figures['rps']:,.0f} | {figures['rps'] / floor:.2f} "
            f"| {figures['p50'] / 1000:.1f} | {figures['p95'] / 1000:.1f} "
            f"| {figures['non_2xx']} |"
        )


if __name__ == "__main__":
    main()
