"""A call closing, as a deadline looks: managers saving questionnaire sections and
submitting, with assessors and the secretariat working at the same time, on the database
`staff_pages.py` seeds (100,000 organisations and the staff's side).

    .venv/bin/python benchmarks/call_closing.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_staff \
        [--minutes 10] [--savers 200] [--submitters 50] [--cache-redis-url redis://...]

Prepares, in process, a draft Bronze application for each of `--savers` + `--submitters`
seeded managers (organisations with no application open): the savers' answers half given,
the submitters' complete, as the questionnaire leaves them (`labelling.demo`'s plausible
answers). Starts gunicorn as the README's production section does (2 sync workers), signs
every manager in, and 20 assessors and 3 of the secretariat. For `--minutes`:

- each saver starts within the first 20 s, opens a section of its questionnaire, changes
  an answer and saves it, then thinks for 10-30 s (about 10 saves a second from 200);
- each submitter saves its last section, opens the submission page and submits, once, at
  a random moment of the window;
- each assessor opens its dashboard every 5-15 s, each of the secretariat the screening
  queue every 3-8 s (where the submissions arrive).

Reports, per action, how many, the median, p95 and slowest, and the errors (an answer
other than the page or the redirect a browser gets). Targets (issue 27): p95 <= 250 ms for
a section save, <= 500 ms for a submission, no error.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
from chain_pages import _environment, _serve  # noqa: E402
from load import bench_app, signed_in  # noqa: E402

from tests.html_forms import post_forms  # noqa: E402

PASSWORD = "bench-password-123"  # noqa: S105 - staff_pages.py's throwaway accounts
SECRETARIAT = [("secretariat@bench.example.eu", PASSWORD)]
ASSESSORS = [(f"assessor{n}@assessors.bench.example.eu", PASSWORD) for n in range(20)]
TARGETS = {"section save": 250, "submit": 500}


def prepare(database_url: str, instance: str, savers: int, submitters: int, seed: int):
    """(manager e-mail, application id, complete) for each draft made."""
    from sqlalchemy import select

    from labelling.accounts.models import User
    from labelling.assessments import services
    from labelling.assessments.models import Answer, Application
    from labelling.db import utcnow
    from labelling.demo.cases import plausible_answers
    from labelling.extensions import db
    from labelling.frameworks.services import current_framework
    from labelling.organisations.models import Membership, Organisation

    rng = random.Random(seed)
    app = bench_app(database_url, instance)
    made = []
    with app.app_context(), app.test_request_context():
        framework = current_framework()
        open_ones = select(Application.organisation_id)
        candidates = db.session.execute(
            select(Organisation, User)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .join(User, User.id == Membership.user_id)
            .where(User.email.like("manager%@clusters.bench.example.eu"))
            .where(Organisation.id.not_in(open_ones.where(Application.decided_at.is_(None))))
            .order_by(Organisation.id)
            .limit(4 * (savers + submitters))
        ).all()
        for organisation, manager in candidates:
            if len(made) == savers + submitters:
                break
            complete = sum(done for _, _, done in made) < submitters
            application = services.start_application(
                organisation, "bronze", "new", manager, framework
            )
            asked = services.framework_of(application)
            known = {answer.question_id: answer.value for answer in application.answers}
            answers = plausible_answers(asked, known, rng, quality=0.9).items()
            for n, (question_id, value) in enumerate(answers):
                if question_id not in known and (complete or n % 2 == 0):
                    application.answers.append(Answer(question_id=question_id, value=value))
            db.session.flush()
            if complete and services.submission_blockers(application, asked):
                db.session.rollback()  # this organisation cannot submit a new Bronze now
                continue
            manager.email_confirmed_at = manager.email_confirmed_at or utcnow()
            db.session.commit()
            made.append((manager.email, application.id, complete))
        # staff_pages.py's accounts never confirmed their address: these sign in here.
        emails = [email for email, _ in ASSESSORS + SECRETARIAT]
        for user in db.session.scalars(select(User).where(User.email.in_(emails))):
            user.email_confirmed_at = user.email_confirmed_at or utcnow()
        db.session.commit()
    return made


class Timings:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def timed(self, action: str, call, expected: tuple[int, ...] = (200,)):
        started = time.perf_counter()
        try:
            response = call()
        except requests.RequestException as exc:
            with self.lock:
                self.errors[action].append(type(exc).__name__)
            return None
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.times[action].append(elapsed)
            if response.status_code not in expected:
                self.errors[action].append(str(response.status_code))
        return response


def section_links(html: str, application_id: int) -> list[str]:
    pattern = rf'href="(/applications/{application_id}/questionnaire/[^"?#]+)"'
    return list(dict.fromkeys(re.findall(pattern, html)))


def save_a_section(session, base: str, path: str, timings: Timings, rng: random.Random):
    """Open the section, change one numeric answer a little, save (the browser's redirect
    to the next page is not followed: that is the next page load)."""
    page = timings.timed("section page", lambda: session.get(base + path))
    if page is None:
        return
    form = next((f for f in post_forms(page.text, base + path) if f.action == path), None)
    if form is None:
        return
    data = form.data()
    for i, (name, value) in enumerate(data):
        if re.fullmatch(r"\d+", value or "") and name != "csrf_token":
            data[i] = (name, str(max(0, int(value) + rng.choice((-1, 1)))))
            break
    timings.timed(
        "section save",
        lambda: session.post(base + form.action, data=data, allow_redirects=False),
        expected=(303, 422),  # 422: a changed number broke a rule; the rest is saved
    )


def saver(base, session, application_id, until, timings, rng) -> None:
    time.sleep(rng.uniform(0, 20))  # people do not all click in the same second
    overview = session.get(f"{base}/applications/{application_id}/questionnaire")
    sections = section_links(overview.text, application_id)
    while time.monotonic() < until and sections:
        save_a_section(session, base, rng.choice(sections), timings, rng)
        time.sleep(rng.uniform(10, 30))


def submitter(base, session, application_id, start_in, timings, rng) -> None:
    time.sleep(start_in)
    overview = session.get(f"{base}/applications/{application_id}/questionnaire")
    sections = section_links(overview.text, application_id)
    if sections:
        save_a_section(session, base, sections[-1], timings, rng)
    path = f"/applications/{application_id}/submit"
    page = timings.timed("submission page", lambda: session.get(base + path))
    if page is None:
        return
    form = next((f for f in post_forms(page.text, base + path) if f.action == path), None)
    if form is None:
        with timings.lock:
            timings.errors["submit"].append("no submission form")
        return
    # The manager names a role and ticks the declaration, as on the page.
    data = [(n, v) for n, v in form.data() if n not in ("role", "declaration")]
    data += [("role", "Cluster manager"), ("declaration", "y")]
    timings.timed(
        "submit",
        lambda: session.post(base + form.action, data=data, allow_redirects=False),
        expected=(303,),
    )


def reader(base, session, paths, pause, until, timings, action, rng) -> None:
    while time.monotonic() < until:
        timings.timed(action, lambda: session.get(base + rng.choice(paths)))
        time.sleep(rng.uniform(*pause))


def report(timings: Timings, minutes: float) -> bool:
    print("\n| action | requests | median ms | p95 ms | slowest ms | errors | target p95 |")
    print("|---|---|---|---|---|---|---|")
    passed = True
    for action, times in sorted(timings.times.items()):
        ordered = sorted(times)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        errors = timings.errors.get(action, [])
        target = TARGETS.get(action)
        passed &= not errors and (target is None or p95 <= target)
        shown = ", ".join(sorted(set(errors))) if errors else "0"
        print(
            f"| {action} | {len(times)} | {statistics.median(times):.0f} | {p95:.0f} "
            f"| {ordered[-1]:.0f} | {len(errors)} ({shown}) | {target or ''} |"
        )
    print(f"\nover {minutes:g} minutes; {'PASS' if passed else 'FAIL'}")
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--savers", type=int, default=200)
    parser.add_argument("--submitters", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8096)
    parser.add_argument("--cache-redis-url")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="labelling-call-")
    drafts = prepare(args.database_url, instance, args.savers, args.submitters, args.seed)
    print(f"{len(drafts)} drafts ({sum(c for *_, c in drafts)} complete)", flush=True)
    environment = _environment(args.database_url, instance, args.port)
    if args.cache_redis_url:
        environment["LABELLING_CACHE_REDIS_URL"] = args.cache_redis_url
    server = _serve(environment, args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    rng = random.Random(args.seed)
    timings = Timings()
    try:
        sessions = {email: signed_in(base, email, PASSWORD) for email, _, _ in drafts}
        staff = {email: signed_in(base, email, PASSWORD) for email, _ in ASSESSORS + SECRETARIAT}
        window = args.minutes * 60
        until = time.monotonic() + window
        threads = []
        for email, application_id, complete in drafts:
            own = random.Random(rng.random())
            if complete:
                work = (base, sessions[email], application_id, own.uniform(0, window), timings, own)
                threads.append(threading.Thread(target=submitter, args=work))
            else:
                work = (base, sessions[email], application_id, until, timings, own)
                threads.append(threading.Thread(target=saver, args=work))
        for email, _ in ASSESSORS:
            work = (base, staff[email], ["/dashboard"], (5, 15), until, timings,
                    "assessor dashboard", random.Random(rng.random()))  # fmt: skip
            threads.append(threading.Thread(target=reader, args=work))
        for email, _ in SECRETARIAT:
            work = (base, staff[email], ["/secretariat/applications?queue=screening"], (3, 8),
                    until, timings, "secretariat queue", random.Random(rng.random()))  # fmt: skip
            threads.append(threading.Thread(target=reader, args=work))
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(f"ran {time.monotonic() - started:.0f} s with {len(threads)} people")
        passed = report(timings, args.minutes)
    finally:
        server.terminate()
        server.wait(timeout=20)
    raise SystemExit(0 if passed else 1)


if __name__ == "__main__":
    main()
