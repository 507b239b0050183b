"""Shift-template and wish files (CSV or XLSX), imported all-or-nothing with row and column
named for every problem, the way people files are (``korps.capacity.datafile``).

Shift templates::

    eenheid,naam,begin,einde,dagen,autos,nacht
    rotterdam-d1-charlois,vroeg,07:00,15:00,ma-zo,2,nee

Wishes::

    personeelsnummer,wens,van,tot,dienst
    C0001,vrij,2027-01-05,2027-01-06,
    C0002,dienst,2027-01-04,2027-01-08,vroeg

``wens`` is ``vrij``, ``geen_nacht`` or ``dienst`` (then ``dienst`` names the shift).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from korps.capacity import schemas, templates, wishlist
from korps.capacity.datafile import parse_table, read_rows
from korps.capacity.service import CapacityError
from korps.common.datafile import DatasetError, Problem
from korps.common.i18n import _
from korps.identity.errors import Forbidden
from korps.identity.roles import Principal

TEMPLATE_COLUMNS = ("eenheid", "naam", "begin", "einde", "dagen", "autos", "nacht")
TEMPLATE_FIELDS = {
    "unit": "eenheid",
    "name": "naam",
    "start": "begin",
    "end": "einde",
    "days": "dagen",
    "crews": "autos",
    "night": "nacht",
}
WISH_COLUMNS = ("personeelsnummer", "wens", "van", "tot", "dienst")
WISH_FIELDS = {
    "number": "personeelsnummer",
    "kind": "wens",
    "starts": "van",
    "ends": "tot",
    "shift": "dienst",
}
YES_NO = {"ja": True, "j": True, "nee": False, "n": False, "": False}


def _template(cell: dict[str, str]) -> dict[str, object]:
    night = cell.get("nacht", "").lower()
    return {
        "unit": cell["eenheid"],
        "name": cell["naam"],
        "start": cell["begin"],
        "end": cell["einde"],
        "days": cell.get("dagen") or "ma-zo",
        "crews": cell.get("autos") or "1",
        "night": YES_NO.get(night, night),
    }


def _wish(cell: dict[str, str]) -> dict[str, object]:
    return {
        "number": cell["personeelsnummer"],
        "kind": cell["wens"],
        "starts": cell["van"],
        "ends": cell["tot"],
        "shift": cell.get("dienst") or None,
    }


def read_templates(path: Path) -> list[schemas.TeamShiftIn]:
    return parse_table(
        str(path),
        read_rows(path),
        columns=TEMPLATE_COLUMNS,
        required=4,
        model=schemas.TeamShiftIn,
        convert=_template,
        fields=TEMPLATE_FIELDS,
    )


def read_wishes(path: Path) -> list[schemas.WishIn]:
    return parse_table(
        str(path),
        read_rows(path),
        columns=WISH_COLUMNS,
        required=4,
        model=schemas.WishIn,
        convert=_wish,
        fields=WISH_FIELDS,
    )


def _refused(file: str, errors: list[tuple[int, CapacityError]], fields: dict[str, str]) -> None:
    problems = [
        Problem(_("kolom {column}", column=fields.get(exc.field, exc.field)), str(exc), index + 2)
        for index, exc in errors
    ]
    raise DatasetError(file, problems)


def import_templates(
    session: Session, *, principal: Principal | None, file: str, rows: list[schemas.TeamShiftIn]
) -> int:
    """Save every template or none (an unknown team or no right on it refuses the file)."""
    refused = templates.import_templates(session, principal=principal, rows=rows)
    if refused:
        session.rollback()
        _refused(file, refused, TEMPLATE_FIELDS)
    session.commit()
    return len(rows)


def import_wishes(
    session: Session, *, principal: Principal | None, file: str, rows: list[schemas.WishIn]
) -> int:
    """Store every wish or none (an unknown person or shift refuses the file)."""
    refused: list[tuple[int, CapacityError]] = []
    for index, data in enumerate(rows):
        try:
            wishlist.add_wish(session, principal=principal, data=data)  # checks, then writes
        except CapacityError as exc:
            refused.append((index, exc))
        except Forbidden as exc:
            refused.append((index, CapacityError("number", str(exc))))
    if refused:
        session.rollback()
        _refused(file, refused, WISH_FIELDS)
    session.commit()
    return len(rows)
