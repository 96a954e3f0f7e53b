"""Drive a running server with wrk and report every public route as a ratio to floors
measured in the same run.

    .venv/bin/python benchmarks/load.py --base-url http://127.0.0.1:8000 \
        [--seconds 20] [--connections 16] [--workers 2] [--gunicorn-pid PID]

For each route it runs wrk (Debian package `wrk`) for `--seconds` with `--connections`
connections and prints requests per second, p50/p95/p99 latency, errors, and the ratio
of its throughput to `/healthz` and to a bare Flask "hello" app (benchmarks/hello.py)
that this script serves itself with gunicorn and the same number of sync workers. The
search routes are each driven over at least 50 distinct URLs (words, filters, pages,
sorts) through a wrk Lua script, so no single cached page can stand for the route; every
URL is requested once before the timing starts ("warm"). A last scenario loads the API
search and verification at the same time, to show that slow searches do not starve the
cheap pages. With `--gunicorn-pid` it reports the resident memory of each worker after
the run.

With `--distinct`, every request to `/registry` and `/api/v1/organisations` is a search
nobody made before in the run (a prefix of a word of a real name or city x level x
country x page 1-3; 40,000 URLs per route, none asked twice), against `/healthz` and bare
Flask in the same run; then the secretariat suspends and restores a label 15 times, and
each time the first anonymous answer of `/registry`, its statistics and the API is timed
against the same page warm (sign-in as seed.py's secretariat: the server needs
`LABELLING_TWO_FACTOR_REQUIRED=false`; `--no-change` leaves this out).

The server must run with rate limits off (`LABELLING_RATELIMIT_ENABLED=false`): every
request here comes from one address.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent

READ_PATHS = r"""
local paths = {}
local n = 0
for line in io.lines(os.getenv("WRK_PATHS")) do
  n = n + 1
  paths[n] = line
end
"""
LUA = (
    READ_PATHS
    + r"""
local counter = 0
function init(args)
  counter = math.random(n)  -- each thread starts at another URL
end
function request()
  counter = counter % n + 1
  return wrk.format("GET", paths[counter])
end
function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "non_2xx": %d, "timeouts": %d, "socket_errors": %d, '
    .. '"p50": %d, "p95": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.timeout,
    summary.errors.connect + summary.errors.read + summary.errors.write,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""
)

# Distinct searches: thread k of wrk takes URLs k, k + threads, k + 2 x threads, ... of a
# list longer than any run asks, so that no URL is asked twice in a run.
DISTINCT_LUA = (
    READ_PATHS
    + r"""
local step = tonumber(os.getenv("WRK_THREADS"))
local made = 0
function setup(thread)
  thread:set("first", made)
  made = made + 1
end
local counter = nil
function request()
  if counter == nil then counter = first + 1 else counter = counter + step end
  return wrk.format("GET", paths[(counter - 1) % n + 1])
end
"""
    + LUA[LUA.index("function done") :]
)

WORDS = [
    "cluster", "pole", "klaster", "food", "energia", "oresund", "baden", "munchen", "sante",
    "automocion", "lotniczy", "maritime", "medizintechnik", "tech", "bretagne", "life",
    "distretto", "aragon", "network", "wind", "textil", "photonik", "sjaelland", "lodz",
    "valley", "hub", "digital", "bio", "mer", "kompetenznetz",
]  # fmt: skip
LEVELS = ["bronze", "silver", "gold"]
SORTS = ["name", "-name", "level", "-level", "valid_until", "-valid_until", "country", "-year"]
COUNTRIES = ["DE", "ES", "FR", "IT", "PL", "AT", "SE", "DK", "NO", "CZ", "BE", "PT", "FI"]
AREAS = ["food", "ict", "biotechnology", "energy_environment", "health_medical", "other"]


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - our own server
        return json.load(response)


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own server
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


BENCH_SECRET = "a-benchmark-key-for-this-throwaway-run"  # noqa: S105 - throwaway runs only


def bench_app(url: str, instance: str, **config):
    """The application on a benchmark database, in process (seeding, timing a job)."""
    from labelling import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": instance,
            "RATELIMIT_ENABLED": False,
            "SECRET_KEY": BENCH_SECRET,
            "BASE_URL": "http://127.0.0.1:8000",  # links are made; none is followed
            "DATABASE_STATEMENT_TIMEOUT_MS": 0,
            **config,
        }
    )


def serve_gunicorn(url: str, instance: str, port: int, **environment: str):
    """gunicorn with 2 sync workers on the database, rate limits off, its output dropped (a
    request log written to a pipe would cost more than the requests); up when it returns."""
    env = {
        **os.environ,
        "LABELLING_DATABASE_URL": url,
        "LABELLING_INSTANCE_PATH": instance,
        "LABELLING_SECRET_KEY": BENCH_SECRET,
        "LABELLING_BASE_URL": f"http://127.0.0.1:{port}",
        "LABELLING_RATELIMIT_ENABLED": "false",
        **{f"LABELLING_{key}": value for key, value in environment.items()},
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "labelling:create_app()"],
        cwd=Path(__file__).resolve().parent.parent, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_until_up(f"http://127.0.0.1:{port}/healthz", 60)
    return server


def signed_in(base: str, email: str, password: str):
    """A requests session signed in through the sign-in form."""
    import re

    import requests

    session = requests.Session()
    page = session.get(f"{base}/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = session.post(
        f"{base}/login",
        data={"csrf_token": token, "email": email, "password": password},
        allow_redirects=False,
    )
    assert answer.status_code == 303, (email, answer.status_code)
    return session


def registry_urls() -> list[str]:
    """At least 50 distinct registry pages: sorts, pages, single and combined filters."""
    urls = [f"/registry?sort={sort}&page={page}" for sort in SORTS for page in (1, 2, 7)]
    urls += [f"/registry?country={country}" for country in COUNTRIES]
    urls += [f"/registry?technology_area={area}&sort=-level" for area in AREAS]
    urls += [f"/registry?level={level}&country=DE&page=2" for level in LEVELS]
    urls += [f"/registry?status=suspended&sort={sort}" for sort in SORTS[:4]]
    return urls


def word_search_urls() -> list[str]:
    """At least 50 distinct searches by words and level."""
    return [f"/registry?q={word}&level={level}" for word in WORDS for level in LEVELS[:2]]


def api_search_urls() -> list[str]:
    urls = [f"/api/v1/organisations?per_page=20&sort={sort}&page={page}" for sort in SORTS
            for page in (1, 3, 11)]  # fmt: skip
    urls += [f"/api/v1/organisations?per_page=20&country={country}" for country in COUNTRIES]
    urls += [f"/api/v1/organisations?per_page=20&q={word}" for word in WORDS[:10]]
    urls += [f"/api/v1/organisations?per_page=20&level={level}&sort=-year" for level in LEVELS]
    return urls


NAME_FIELDS = ("legal_name", "short_name", "city")


def seeded_words(base_url: str, pages: int = 10) -> list[list[str]]:
    """The words of the names and city of listed organisations (one list per
    organisation), read from the API in several orders: a sample across the register."""
    import unicodedata

    def folded(text: str) -> list[str]:
        plain = unicodedata.normalize("NFKD", text.lower())
        letters = "".join(c if c.isalnum() else " " for c in plain if not unicodedata.combining(c))
        return [word for word in letters.split() if len(word) >= 3]

    found = []
    for sort in ("name", "-name", "-year", "country", "valid_until"):
        for page in range(1, pages + 1):
            url = f"{base_url}/api/v1/organisations?per_page=100&sort={sort}&page={page * 37}"
            for item in get_json(url)["items"]:
                organisation = item["organisation"]
                parts = [
                    organisation.get(key) or "" for key in ("legal_name", "short_name", "city")
                ]
                found.append(folded(" ".join(parts)))
    return [words for words in found if words]


def distinct_searches(
    base_url: str, route: str, count: int, seed: int = 11, extra: str = ""
) -> list[str]:
    """`count` distinct searches as people type them: a prefix (three letters or more) of a
    word of a real name or city, now and then with a second word's prefix; no level or
    one; no country or one; page 1 to 3."""
    import random
    from urllib.parse import quote

    rng = random.Random(seed)
    documents = seeded_words(base_url)
    urls: set[str] = set()
    while len(urls) < count:
        words = rng.choice(documents)
        first = rng.choice(words)
        q = first[: rng.randint(3, len(first))]
        if len(words) > 1 and rng.random() < 0.25:
            second = rng.choice([word for word in words if word != first] or [first])
            q += " " + second[: rng.randint(3, len(second))]
        url = f"{route}?{extra}q={quote(q)}"
        if rng.random() < 0.5:
            url += f"&level={rng.choice(LEVELS)}"
        if rng.random() < 0.5:
            url += f"&country={rng.choice(COUNTRIES)}"
        urls.add(url + f"&page={rng.randint(1, 3)}")
    ordered = sorted(urls)
    rng.shuffle(ordered)
    return ordered


def resource_urls(base_url: str, pages: int = 5) -> dict[str, list[str]]:
    """Existing organisations, labels and certificates, read from the API itself."""
    organisations, labels, numbers = [], [], []
    for page in range(1, pages + 1):
        body = get_json(f"{base_url}/api/v1/organisations?per_page=100&sort=-year&page={page}")
        for item in body["items"]:
            organisations.append(item["organisation"]["id"])
            labels.append(item["label"]["id"])
            if item["label"]["certificate_number"]:
                numbers.append(item["label"]["certificate_number"])
    return {
        "verify page": [f"/verify/{number}" for number in numbers],
        "API certificate": [f"/api/v1/certificates/{number}" for number in numbers],
        "organisation page": [f"/registry/organisations/{i}" for i in organisations],
        "API organisation": [f"/api/v1/organisations/{i}" for i in organisations],
        "seal": [f"/seal/{i}.svg" for i in labels],
    }


def warm(base_url: str, paths: list[str]) -> None:
    """Ask every URL once (with a few at a time), as readers had before the run."""

    def fetch(path: str) -> None:
        with urllib.request.urlopen(base_url + path, timeout=120) as response:  # noqa: S310
            response.read()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(fetch, paths))


def run_wrk(
    base_url: str,
    paths: list[str],
    seconds: int,
    connections: int,
    threads: int,
    folder: Path,
    headers: list[str] | None = None,
    distinct: bool = False,
) -> dict:
    """wrk on the paths in turn; `headers` (e.g. a session cookie) go with every request.
    `distinct`: each path at most once (until the list runs out: see "repeated")."""
    script = folder / ("distinct.lua" if distinct else "paths.lua")
    script.write_text(DISTINCT_LUA if distinct else LUA)
    listing = folder / f"paths-{abs(hash(tuple(paths)))}.txt"
    listing.write_text("\n".join(paths) + "\n")
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(script), base_url,
    ]  # fmt: skip
    for header in headers or []:
        command[1:1] = ["-H", header]
    output = subprocess.run(
        command,
        env={**os.environ, "WRK_PATHS": str(listing), "WRK_THREADS": str(threads)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("{"))
    figures = json.loads(line)
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["urls"] = len(set(paths))
    figures["repeated"] = max(0, figures["requests"] - len(paths)) if distinct else None
    return figures


def start_hello(workers: int, port: int) -> subprocess.Popen:
    gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen(
        [gunicorn, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--chdir", str(HERE),
         "--log-level", "warning", "hello:app"],
    )  # fmt: skip
    wait_until_up(f"http://127.0.0.1:{port}/")
    return process


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each child of the gunicorn master, in MB."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def print_table(results: dict[str, dict], floor: str, hello: str) -> None:
    print(
        "| route | URLs | req/s | p50 ms | p95 ms | p99 ms | errors | share of /healthz "
        "| share of hello |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, figures in results.items():
        errors = figures["non_2xx"] + figures["timeouts"] + figures["socket_errors"]
        print(
            f"| {name} | {figures['urls']} | {figures['rps']:,.0f} | {figures['p50'] / 1000:.1f} "
            f"| {figures['p95'] / 1000:.1f} | {figures['p99'] / 1000:.1f} | {errors} "
            f"| {figures['rps'] / results[floor]['rps']:.2f} "
            f"| {figures['rps'] / results[hello]['rps']:.2f} |"
        )


DISTINCT_URLS = 40_000  # per route: more than a run of --seconds can ask


def distinct_main(base: str, args, folder: Path) -> None:
    """Every request a search nobody made before: /registry and the API, as shares of
    /healthz and bare Flask measured in the same run; then the first page after a change."""
    routes = {
        "bare Flask hello": (f"http://127.0.0.1:{args.hello_port}", ["/"], False),
        "/healthz": (base, ["/healthz"], False),
        "/registry, distinct searches": (
            base, distinct_searches(base, "/registry", DISTINCT_URLS), True),
        "/api/v1/organisations, distinct searches": (
            base, distinct_searches(base, "/api/v1/organisations", DISTINCT_URLS,
                                    extra="per_page=20&"), True),
    }  # fmt: skip
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    results = {}
    for name, (url, paths, distinct) in routes.items():
        if not distinct:
            warm(url, paths)
        results[name] = run_wrk(
            url, paths, args.seconds, args.connections, args.threads, folder, distinct=distinct
        )
        repeated = results[name]["repeated"]
        print(f"  {name}: {results[name]['rps']:,.0f} req/s, repeated {repeated}", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}\n")
    print_table(results, "/healthz", "bare Flask hello")
    if not args.no_change:
        first_after_change(base)


def timed_get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 - our own server
        response.read()
    return (time.perf_counter() - started) * 1000


# The first three are made after a change before readers ask (registry.warming); the
# last is not, and shows what every other URL costs at its first reader after a change.
AFTER_CHANGE = [
    "/registry",
    "/registry/statistics",
    "/api/v1/organisations",
    "/api/v1/organisations?per_page=20&sort=-year",
]


SECRETARIAT = ("secretariat@bench.example.eu", "bench-password-123")  # seed.py's account


def change_a_label(session, base: str, label_id: int, suspend: bool) -> None:
    """Suspend or restore a label through the secretariat's page: a change to the register."""
    import re

    page = session.get(f"{base}/secretariat/labels/{label_id}").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    answer = session.post(
        f"{base}/secretariat/labels/{label_id}",
        data={
            "csrf_token": token,
            "action": "suspend" if suspend else "restore",
            "comment": "Benchmark: a change to the register",
        },
        allow_redirects=False,
    )
    assert answer.status_code == 303, answer.status_code


def first_after_change(base: str, rounds: int = 15, wait: float = 2.0) -> None:
    """The secretariat suspends, then restores, a label (each a change to the register);
    `wait` seconds later an anonymous reader asks each page once (the first answer after
    the change), then five times more (warm, the median), one request at a time."""
    import statistics

    session = signed_in(base, *SECRETARIAT)
    label_id = get_json(f"{base}/api/v1/organisations?per_page=1")["items"][0]["label"]["id"]
    firsts: dict[str, list[float]] = {path: [] for path in AFTER_CHANGE}
    warms: dict[str, list[float]] = {path: [] for path in AFTER_CHANGE}
    for round_ in range(rounds):
        change_a_label(session, base, label_id, suspend=round_ % 2 == 0)
        time.sleep(wait)
        for path in AFTER_CHANGE:
            firsts[path].append(timed_get(base + path))
            warms[path].append(statistics.median(timed_get(base + path) for _ in range(5)))
    if rounds % 2:
        change_a_label(session, base, label_id, suspend=False)
    print(f"\nThe first answer {wait:.0f} s after a change to the register, one at a time:\n")
    print("| page | first after a change, median ms | p95 ms | warm, median ms | ratio |")
    print("|---|---|---|---|---|")
    for path in AFTER_CHANGE:
        first = statistics.median(firsts[path])
        p95 = sorted(firsts[path])[int(0.95 * (len(firsts[path]) - 1))]
        kept = statistics.median(warms[path])
        print(f"| {path} | {first:.1f} | {p95:.1f} | {kept:.1f} | {first / kept:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="the server's sync workers")
    parser.add_argument("--hello-port", type=int, default=8099)
    parser.add_argument("--gunicorn-pid", type=int, help="report the workers' memory after")
    parser.add_argument(
        "--distinct", action="store_true", help="every search one nobody made before (cold)"
    )
    parser.add_argument(
        "--no-change",
        action="store_true",
        help="with --distinct: do not time the first page after a change (it signs in as "
        "seed.py's secretariat, so the server needs LABELLING_TWO_FACTOR_REQUIRED=false)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")
    base = args.base_url.rstrip("/")
    folder = Path(tempfile.mkdtemp())
    hello = start_hello(args.workers, args.hello_port)
    try:
        if args.distinct:
            distinct_main(base, args, folder)
            return
        routes = {
            "bare Flask hello": (f"http://127.0.0.1:{args.hello_port}", ["/"]),
            "/healthz": (base, ["/healthz"]),
            "/registry (filters, sorts, pages)": (base, registry_urls()),
            "/registry?q=..&level=..": (base, word_search_urls()),
            "/api/v1/organisations": (base, api_search_urls()),
            "/registry/statistics": (base, ["/registry/statistics"]),
        }
        routes.update({name: (base, paths) for name, paths in resource_urls(base).items()})
        print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
        results = {}
        for name, (url, paths) in routes.items():
            warm(url, sorted(set(paths)))
            results[name] = run_wrk(
                url, paths, args.seconds, args.connections, args.threads, folder
            )
            print(f"  {name}: {results[name]['rps']:,.0f} req/s", flush=True)
        print(f"load average after: {os.getloadavg()[0]:.2f}\n")
        print_table(results, "/healthz", "bare Flask hello")
        mixed(base, routes, args, folder)
        if args.gunicorn_pid:
            sizes = ", ".join(f"{size:.0f} MB" for size in worker_rss_mb(args.gunicorn_pid))
            print(f"\nworker resident memory after the run: {sizes}")
    finally:
        hello.send_signal(signal.SIGTERM)
        hello.wait(timeout=30)


def mixed(base: str, routes: dict, args, folder: Path) -> None:
    """The API search and verification loaded at once, half the connections each."""
    half = max(1, args.connections // 2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        search = pool.submit(
            run_wrk, base, routes["/api/v1/organisations"][1], args.seconds, half, 1, folder
        )
        verify = pool.submit(run_wrk, base, routes["verify page"][1], args.seconds, half, 1, folder)
        figures = {
            "API search, under the mix": search.result(),
            "verify, under the mix": verify.result(),
        }
    print("\nAt the same time (half the connections each):\n")
    for name, result in figures.items():
        print(
            f"- {name}: {result['rps']:,.0f} req/s, p95 {result['p95'] / 1000:.1f} ms, "
            f"p99 {result['p99'] / 1000:.1f} ms"
        )


if __name__ == "__main__":
    main()
