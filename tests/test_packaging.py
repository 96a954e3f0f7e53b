"""The built wheel carries templates/, static/, migrations and criteria, and renders a page."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def test_wheel_installs_and_renders_the_home_page(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = dist.glob("labelling-*.whl")
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    script = textwrap.dedent(f"""
        import labelling
        assert labelling.__file__.startswith({str(target)!r}), labelling.__file__
        from labelling import create_app
        from labelling.extensions import init_migrations
        app = create_app({{"DATABASE_URL": "sqlite://", "INSTANCE_PATH": {str(tmp_path / "i")!r},
                          "SECRET_KEY": "a-key-for-the-packaging-test-only-0123"}})
        init_migrations(app)
        with app.app_context():
            from flask_migrate import upgrade
            upgrade()
        client = app.test_client()
        page = client.get("/")
        assert page.status_code == 200, page.status_code
        assert b"Excel in Cluster Excellence" in page.data
        assert client.get("/static/css/app.css").status_code == 200
        print("wheel ok")
    """)
    # Run from an empty folder with only the installed wheel ahead of site-packages.
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "wheel ok" in result.stdout
