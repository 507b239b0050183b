"""One way for the capacity pages to handle a posted form: run the change, commit and go
back to the page; or, on refused input, roll everything back and show the page again with
the Dutch message and the field it is about (422)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from korps.capacity.service import CapacityError
from korps.common.reasons import reason

Failed = Callable[[str, str], Response]  # (message, field) -> the page with the error


def first_error(exc: ValidationError) -> tuple[str, str]:
    error = exc.errors()[0]
    field = str(error["loc"][0]) if error["loc"] else "formulier"
    return field, reason(error)


def submit(
    session: Session, action: Callable[[], object], *, redirect: str, failed: Failed
) -> Response:
    try:
        action()
    except ValidationError as exc:
        session.rollback()
        field, message = first_error(exc)
        return failed(message, field)
    except CapacityError as exc:
        session.rollback()
        return failed(str(exc), exc.field)
    session.commit()
    return RedirectResponse(redirect, status_code=303)
