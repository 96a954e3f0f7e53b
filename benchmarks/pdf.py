"""How long the certificate and the benchmarking report take to render as PDF, as a ratio
to a one-line WeasyPrint document rendered in the same process.

    .venv/bin/python benchmarks/pdf.py [--repeat 10] [--organisations 300]

The floor is `weasyprint.HTML(string="<p>One line.</p>").write_pdf()` with WeasyPrint's
defaults; the same line through the platform's `render_pdf` is shown beside it. The
report is that of the first of `--organisations` benchmarked organisations (seeded
by benchmarks/benchmarking.py into a temporary SQLite database), for the peer group the
report opens on; its HTML is produced once by the view and then converted repeatedly, so
the figure is WeasyPrint's work on our document. The certificate is rendered whole
(context check, QR code, template, PDF), as an award renders it.

Targets (issue 11): certificate <= 3x, benchmarking report <= 15x the one-line document
(issue 27: <= 40x). The report's download, once its PDF is stored, is timed against a
static file of the same size served by the same app (issue 27: <= 2x).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchmarking  # the benchmark data seeding beside this one

ONE_LINE = "<p>One line.</p>"
CERTIFICATE = {
    "number": "GOLD-DEU-2026-7KQ4-M2XD",
    "organisation_name": "Kompetenznetz Medizintechnik Baden-Württemberg e.V.",
    "country_name": "Germany",
    "level": "gold",
    "level_name": "Gold",
    "tagline": "Excel in Cluster Excellence",
    "framework": "European Cluster Excellence Initiative (2013.1)",
    "assessment_date": "2026/11/12",
    "valid_until": "2028/10/31",
    "issuer": "European Secretariat for Cluster Analysis",
    "verify_url": "https://labelling.example.eu/verify/GOLD-DEU-2026-7KQ4-M2XD",
}


def timed(call, repeat: int) -> float:
    call()  # fonts and stylesheets are loaded once per process; not what is measured
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def report_html(app, count: int) -> tuple[str, object, str]:
    """The benchmarking report's HTML, as the PDF download produces it (rendered and stored
    once), with the signed-in client and the download's address."""
    from labelling.benchmarking import report_files

    captured: list[str] = []
    original = report_files.render_pdf
    report_files.render_pdf = lambda html: captured.append(html) or original(html)
    try:
        with app.app_context():
            from labelling.extensions import db

            db.create_all()
            application_id = benchmarking.seed(count)
        client = app.test_client()
        client.post(
            "/login", data={"email": "bench@example.org", "password": benchmarking.PASSWORD}
        )
        page = client.get(f"/applications/{application_id}/benchmarking").text
        # The page's link, with the peer group it opened on.
        url = re.search(r'href="(/applications/\d+/benchmarking\.pdf\?group=\w+)"', page).group(1)
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    finally:
        report_files.render_pdf = original
    return captured[0], client, url


def main() -> None:
    from flask import send_from_directory
    from weasyprint import HTML

    from labelling import create_app
    from labelling.certificates.rendering import render_certificate
    from labelling.core.pdf import render_pdf

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--organisations", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'pdf.sqlite'}",
                "INSTANCE_PATH": folder,
                "RATELIMIT_ENABLED": False,
                "WTF_CSRF_ENABLED": False,
            }
        )
        # A static file of the stored report's size, served by the same app.
        same_size = Path(folder) / "same-size.pdf"
        app.add_url_rule(
            "/bench/same-size.pdf",
            "same_size",
            lambda: send_from_directory(folder, same_size.name, mimetype="application/pdf"),
        )
        html, client, url = report_html(app, args.organisations)
        pdf_size = same_size.write_bytes(client.get(url).data)
        download = timed(lambda: client.get(url).data, args.repeat * 5)
        static = timed(lambda: client.get("/bench/same-size.pdf").data, args.repeat * 5)
        with app.test_request_context():
            one_line = timed(lambda: HTML(string=ONE_LINE).write_pdf(), args.repeat)
            ours = timed(lambda: render_pdf(ONE_LINE), args.repeat)
            certificate = timed(lambda: render_certificate(CERTIFICATE), args.repeat)
            report = timed(lambda: render_pdf(html), args.repeat)
    print(f"load average {os.getloadavg()[0]:.2f}; median of {args.repeat}\n")
    print("| document | ms | ratio to the one-line document |")
    print("|---|---|---|")
    for name, seconds in (
        ("one-line document, WeasyPrint's defaults (the floor)", one_line),
        ("one-line document, through render_pdf", ours),
        ("certificate", certificate),
        ("benchmarking report", report),
    ):
        print(f"| {name} | {seconds * 1000:.0f} | {seconds / one_line:.1f}x |")
    print(
        f"\nThe report's download once stored: {download * 1000:.1f} ms; a static file of the "
        f"same size ({pdf_size / 1024:.0f} KB) from the same app: {static * 1000:.1f} ms; "
        f"ratio {download / static:.1f}x (target <= 2x)"
    )


if __name__ == "__main__":
    main()
