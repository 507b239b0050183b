"""The receipt of a dossier as a PDF file (issue 16.1): the dossier number, what was sent,
when, by whom and who handles it, rendered by WeasyPrint with the DejaVu fonts bundled in
``monitor/fonts`` (the same on every machine, no network). The renderer may open only
those font files: nothing in a dossier can make it read another path or a URL."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from korps.web.templating import templates

FONTS = Path(str(resources.files("korps") / "monitor" / "fonts"))
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    allowed = {(FONTS / name).resolve().as_uri() for name in FONT_FILES}

    class FontsOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url not in allowed:
                raise ValueError(f"receipt: refused to fetch {url[:80]}")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols=("file",))


def html(**context: Any) -> str:
    """The receipt as one self-contained HTML document (no scripts, no outside links)."""
    template = templates.get_template("portal/receipt_pdf.html")
    return template.render(fonts=FONTS.resolve().as_uri(), **context)


def pdf(**context: Any) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    result: bytes = HTML(string=html(**context), url_fetcher=_fetcher()).write_pdf()
    return result
