"""PDF rendering with WeasyPrint that can read our own static files and nothing else.

Documents are rendered from HTML we generate, but they carry user text; a URL fetcher that
refuses every outside address (http, https, file, ftp) means no rendered document can make
the server fetch anything.

WeasyPrint is imported on first use, not with the application: it costs about a second
of every cold start (workers, commands, `labelling --help`) that most never need.
"""

from __future__ import annotations

import atexit
import logging
import mimetypes
import threading
from functools import cache
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)

# A base URL that cannot resolve anywhere: relative links in documents land under it.
BASE_URL = "https://static.labelling.invalid/"


@cache
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    # WeasyPrint reports each stylesheet it parses at INFO; only its warnings matter here.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

    class StaticOnlyFetcher(URLFetcher):
        """Serves BASE_URL/<path> from the static folder and data: URLs; refuses the rest."""

        def __init__(self, static_folder: str | Path):
            super().__init__(allowed_protocols=("data",))
            self.static_folder = Path(static_folder).resolve()
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(BASE_URL):
                relative = url[len(BASE_URL) :].split("?", 1)[0].split("#", 1)[0]
                path = (self.static_folder / relative).resolve()
                if path.is_file() and self.static_folder in path.parents:
                    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(
                        url, body=path.read_bytes(), headers={"Content-Type": content_type}
                    )
            self.refused.append(url)
            log.warning("PDF rendering refused to fetch %s", url)
            raise ValueError(f"refused: {url}")

    return StaticOnlyFetcher


def __getattr__(name: str):
    # `from labelling.core.pdf import StaticOnlyFetcher` still works, importing WeasyPrint then.
    if name == "StaticOnlyFetcher":
        return _fetcher_class()
    raise AttributeError(name)


_fonts = threading.local()


def _font_config():
    """One FontConfiguration per thread, reused by every document it renders: building it
    (the Pango font map, the fonts looked up) costs more than laying out a certificate."""
    if not hasattr(_fonts, "config"):
        from weasyprint.text.fonts import FontConfiguration

        _fonts.config = FontConfiguration()
        if threading.current_thread() is threading.main_thread():
            atexit.register(_release_main_thread_fonts)
    return _fonts.config


def _release_main_thread_fonts() -> None:
    # The main thread's font map must be released while the interpreter still stands: left
    # to the teardown of its thread-local at exit, Pango's release of it crashed the process
    # (SIGSEGV in g_object_unref) after a command had rendered a PDF and finished its work.
    # Other threads release theirs as they end.
    if hasattr(_fonts, "config"):
        del _fonts.config


@cache
def _stylesheet(static_folder: str, name: str):
    """A stylesheet of ours, parsed once per process (parsing costs a certificate a
    tenth of its rendering) and shared by every document that names it."""
    from weasyprint import CSS

    path = Path(static_folder) / name
    return CSS(
        string=path.read_text(encoding="utf-8"),
        base_url=BASE_URL + name,
        url_fetcher=_fetcher_class()(static_folder),  # what it links to: ours only
    )


# The stylesheet of the reports and summaries (the certificate has its own).
PRINT_STYLESHEETS = ("css/print.css",)


def render_pdf(html: str, fetcher=None, stylesheets: tuple[str, ...] = PRINT_STYLESHEETS) -> bytes:
    """PDF bytes of `html`, with our static stylesheets named in `stylesheets` (paths
    under static/) applied as author styles."""
    from weasyprint import HTML

    fetcher = fetcher or _fetcher_class()(current_app.static_folder)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(
        font_config=_font_config(),
        stylesheets=[_stylesheet(current_app.static_folder, name) for name in stylesheets],
    )
