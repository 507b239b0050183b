"""The report for the Regionaal Veiligheidsoverleg: the status table, a trend plot per
indicator and the sources, as HTML and as PDF (WeasyPrint, with the DejaVu fonts bundled in
``monitor/fonts`` so the PDF looks the same on every machine and needs no network).

The report speaks the current locale (korps.common.i18n): the web sets it per request, the
CLI from KORPS_LANG; its texts, numbers and dates follow it."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from sqlalchemy.orm import Session

from korps.common import formatting
from korps.common.i18n import N_
from korps.common.jinja import localise
from korps.monitor import service
from korps.monitor.chart import trend_svg
from korps.monitor.models import Plan

FONTS = Path(__file__).parent / "fonts"
TEMPLATES = Path(__file__).parents[1] / "web" / "templates"

#: the monitor's status and trend words, shown through the catalogue (``| t``); the plan's
#: status and the kinds of target are korps.common.labels' tables
SHOWN = (
    N_("op koers"),
    N_("aandacht nodig"),
    N_("uit koers"),
    N_("geen oordeel"),
    N_("verbetert"),
    N_("verslechtert"),
    N_("gelijk"),
    N_("onbekend"),
)


def context(session: Session, *, slug: str, today: date) -> dict[str, object]:
    data = service.overview(session, slug=slug, today=today)
    unit = service.get_unit(session, slug=slug)
    plan: Plan | None = service.plan_for(session, unit=unit)
    first, last = (plan.first_year, plan.last_year) if plan else (today.year, today.year)
    charts = {row.indicator: trend_svg(row, first, last) for row in data.rows}
    counts: dict[str, int] = {}
    for row in data.rows:
        counts[row.status_label] = counts.get(row.status_label, 0) + 1
    return {"overview": data, "plan": plan, "charts": charts, "counts": counts, "today": today}


def moment(value: str | None) -> str:
    """An ISO time stamp of the database (``entered_at``) as the reader writes it, in Dutch
    local time like the pages (``tijdstip``)."""
    return formatting.local_datetime(datetime.fromisoformat(value) if value else None)


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    localise(env)
    env.filters["moment"] = moment
    # the page counters of the PDF's footer, placed in the translated "pagina {page} van {pages}"
    env.globals["PAGE"] = Markup('" counter(page) "')
    env.globals["PAGES"] = Markup('" counter(pages) "')
    return env


def html(session: Session, *, slug: str, today: date, for_pdf: bool = False) -> str:
    """The report as one self-contained HTML document (inline SVG, no scripts)."""
    fonts = FONTS.as_uri() if for_pdf else None
    template = _environment().get_template("monitor/report.html")
    return template.render(**context(session, slug=slug, today=today), fonts=fonts)


def pdf(session: Session, *, slug: str, today: date) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    document = html(session, slug=slug, today=today, for_pdf=True)
    result: bytes = HTML(string=document, base_url=str(FONTS)).write_pdf()
    return result
