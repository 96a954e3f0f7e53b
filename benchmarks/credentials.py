"""Labels as signed credentials, as verifiers load them: gunicorn on PostgreSQL, wrk, at
1,000 and 100,000 organisations.

    .venv/bin/python benchmarks/credentials.py \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
        [--sizes 1000,100000] [--seconds 10] [--reuse]

For each size `seed.py` fills a database of its own (`labelling_growth_<size>`, shared with
growth.py; `--reuse` keeps one already seeded at that size), with its suspended and revoked
labels. Then gunicorn (2 sync workers) serves it and wrk (16 connections) drives, each
route over many distinct URLs or bodies:
- `/healthz`, the floor of the same run, and `/account`, the signed-in floor;
- `/verify/<number>`, the existing verification by number, for reference;
- `/.well-known/jwks.json`, the key set;
- the issuer's revocation and suspension lists: computed from the labels on every request
  (never kept), so every request is a cold one;
- a label's credential, downloaded by the secretariat (signed on every request), 200
  distinct labels;
- `POST /verify/credential` with 200 distinct credentials: each check reads both lists.
It prints requests per second, the share of `/healthz`, p50 and p95 per route and size,
and how p50 grows from the smallest size to the largest.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote, urlsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import seed as seeding  # noqa: E402
from growth import database_for, organisations_in  # noqa: E402
from load import LUA, resource_urls, run_wrk, serve_gunicorn, signed_in  # noqa: E402

POST_LUA = r"""
local bodies = {}
local n = 0
for line in io.lines(os.getenv("WRK_BODIES")) do
  n = n + 1
  bodies[n] = line
end
local counter = 0
function init(args)
  counter = math.random(n)
end
function request()
  counter = counter % n + 1
  return wrk.format("POST", "/verify/credential", nil, bodies[counter])
end
""" + LUA[LUA.index("function done") :]  # load.py's report, as JSON


def run_posts(base: str, bodies: list[str], headers: list[str], seconds: int, folder: Path):
    import json
    import subprocess

    script = folder / "posts.lua"
    script.write_text(POST_LUA)
    listing = folder / "bodies.txt"
    listing.write_text("\n".join(bodies) + "\n")
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s", "-s", str(script)]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(
        [*command, base],
        env={**os.environ, "WRK_BODIES": str(listing)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    figures = json.loads(next(line for line in output.splitlines() if line.startswith("{")))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def measure(url: str, size: int, seconds: int, port: int) -> dict[str, dict]:
    import requests

    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as instance:
        # The seeded secretariat has no second factor: it signs in with its password.
        server = serve_gunicorn(url, instance, port, TWO_FACTOR_REQUIRED="false")
        try:
            folder = Path(instance)
            staff = signed_in(base, "secretariat@bench.example.eu", "bench-password-123")
            staff_cookie = "Cookie: " + "; ".join(f"{c.name}={c.value}" for c in staff.cookies)
            resources = resource_urls(base, pages=3)
            labels = [int(path.rsplit("/", 1)[1].split(".")[0]) for path in resources["seal"]]
            downloads = [f"/labels/{label}/credential.json" for label in labels[:200]]
            answers = [staff.get(base + path) for path in downloads]
            assert all(answer.ok for answer in answers), answers[0].status_code
            credentials = [answer.text.replace("\n", "") for answer in answers]
            entry = answers[0].json()["id"]
            issuer = _issuer_of(entry)
            visitor = requests.Session()
            page = visitor.get(f"{base}/verify").text
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            visitor_cookie = "Cookie: " + "; ".join(f"{c.name}={c.value}" for c in visitor.cookies)
            bodies = [f"csrf_token={quote(token)}&credential={quote(c)}" for c in credentials]
            runs = {
                "/healthz": (["/healthz"], []),
                "/account (signed-in floor)": (["/account"], [staff_cookie]),
                "verify by number": (resources["verify page"], []),
                "key set (JWKS)": (["/.well-known/jwks.json"], []),
                "revocation list": ([f"/credentials/status/{issuer}/revocation"], []),
                "suspension list": ([f"/credentials/status/{issuer}/suspension"], []),
                "credential download (staff)": (downloads, [staff_cookie]),
            }
            results = {
                name: run_wrk(base, paths, seconds, 16, 2, folder, headers)
                for name, (paths, headers) in runs.items()
            }
            form = "Content-Type: application/x-www-form-urlencoded"
            results["check a credential (POST)"] = run_posts(
                base, bodies, [visitor_cookie, form], seconds, folder
            )
        finally:
            server.terminate()
            server.wait()
    return results


def _issuer_of(enveloped: str) -> str:
    """The issuer's name in the status list URL of a credential."""
    import base64
    import json

    token = enveloped.split(",", 1)[1]
    payload = token.split(".")[1]
    credential = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    status_url = credential["credentialStatus"][0]["statusListCredential"]
    return urlsplit(status_url).path.split("/")[3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8047)
    parser.add_argument("--reuse", action="store_true", help="keep a database already seeded")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    folder = Path(tempfile.mkdtemp())
    by_size = {}
    for size in sizes:
        url = database_for(args.database_url, size, folder)
        if not (args.reuse and organisations_in(url) == size):
            seeded = seeding.seed(url, size, str(folder / f"seed-{size}"))
            print(f"seeded {size:,} in {seeded['total']:.0f} s ({seeded['labels']:,} labels)")
        by_size[size] = measure(url, size, args.seconds, args.port)
        print(f"size {size:,} measured (load average {os.getloadavg()[0]:.2f})", flush=True)
    first, last = sizes[0], sizes[-1]
    heads = " | ".join(f"{s:,}: req/s (share of /healthz), p50 / p95 ms" for s in sizes)
    print(f"\n| route | {heads} | p50 growth {first:,} -> {last:,} |")
    print("|---" * (len(sizes) + 2) + "|")
    for name in by_size[first]:
        cells = []
        for size in sizes:
            figures, floor = by_size[size][name], by_size[size]["/healthz"]["rps"]
            cells.append(
                f"{figures['rps']:,.0f} ({figures['rps'] / floor:.2f}), "
                f"{figures['p50'] / 1000:.1f} / {figures['p95'] / 1000:.1f}"
                + (f", {figures['non_2xx']} non-2xx" if figures["non_2xx"] else "")
            )
        growth = by_size[last][name]["p50"] / max(by_size[first][name]["p50"], 1)
        print(f"| {name} | {' | '.join(cells)} | {growth:.1f}x |")


if __name__ == "__main__":
    main()
