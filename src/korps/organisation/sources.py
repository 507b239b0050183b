"""The source documents the bundled figures cite, and how a source text is shown: each
file name (``001_6cfd4132a7d74cba.txt``) becomes the document's title, linked to its page.
Titles and descriptions are Dutch, shown through the catalogue (korps.common.datatexts)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict

from korps.common.datatexts import shown

SOURCES_FILE = Path(__file__).parents[1] / "datasets" / "bronnen.yaml"
FILE_RE = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b")


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    file: str
    title: str
    publisher: str
    what: str
    used_for: str


@lru_cache(maxsize=1)
def sources() -> dict[str, Source]:
    rows = yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8"))
    return {row["file"]: Source.model_validate(row) for row in rows}


def linked(text: object) -> Markup:
    """``text`` escaped, with every known source file as a link titled by its document."""
    known = sources()
    safe = str(escape("" if text is None else str(text)))

    def link(match: re.Match[str]) -> str:
        source = known.get(match.group(0))
        if source is None:
            return match.group(0)
        title = escape(shown(source.title))
        return f'<a href="/bronnen/{source.file}" title="{source.file}">{title}</a>'

    return Markup(FILE_RE.sub(link, safe))
