"""PDF rendering as a command does it: in the main thread, then the process ends."""

from __future__ import annotations

import subprocess
import sys

RENDER_AND_EXIT = """
from labelling import create_app
from labelling.core.pdf import render_pdf

app = create_app({"TESTING_CONFIG": True, "DATABASE_URL": "sqlite://", "INSTANCE_PATH": %r})
with app.app_context():
    assert render_pdf("<p>Certificate</p>").startswith(b"%%PDF")
print("rendered")
"""


def test_a_process_that_rendered_a_pdf_exits_cleanly(tmp_path):
    """Seen: `labelling demo --no-serve` printed its logins, then died of a segmentation
    fault (exit 139) as the interpreter released the main thread's Pango font map."""
    finished = subprocess.run(
        [sys.executable, "-c", RENDER_AND_EXIT % str(tmp_path / "instance")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "rendered" in finished.stdout
    assert finished.returncode == 0, finished.stderr[-2000:]
