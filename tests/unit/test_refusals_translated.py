"""Every refusal a user reads goes through the catalogue: no ``raise XxxError("Dutch text")``
or ``raise XxxError(f"...")`` with one of korps's user-facing error classes.

The message must be ``_("...", name=value)`` (or a constant marked ``N_`` and raised as
``_(CONSTANT)``). A plain string literal is allowed only where it is a field name (the first
argument of the classes that name their field). Modules whose texts are owned elsewhere
(the CLI, the pages, the simulation's English researcher texts) are outside this check; the
few internal errors that never reach a user are listed in :data:`INTERNAL` with the reason.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import korps

SOURCE = Path(korps.__file__).resolve().parent

#: classes a user reads the message of (API ``detail``, a page, the CLI)
USER_FACING = {
    "AllocationError",
    "CapacityError",
    "ConflictError",
    "DatasetError",
    "Forbidden",
    "IdentityError",
    "InputError",
    "LoginRefused",
    "MailError",
    "MonitorRefused",
    "NotFoundError",
    "OidcError",
    "PasswordRejected",
    "PortalInputError",
    "RosterError",
    "TooManyRequests",
    "_refuse",
    "_refused",
}
#: classes (and helpers) whose first argument names the field (or the file), not the message
FIELD_FIRST = {
    "CapacityError",
    "DatasetError",
    "InputError",
    "MonitorRefused",
    "one",
    "_refuse",
    "_refused",
}
#: modules whose ValueErrors are refusals shown to a user (pydantic validators, parsers of
#: what a user typed), so a ValueError there counts as user-facing too
VALUE_ERRORS_SHOWN = {
    "capacity/problem.py",
    "capacity/rules.py",
    "capacity/schemas.py",
    "capacity/sickleave.py",
    "capacity/twin.py",
    "controlroom/kpi.py",
    "monitor/datafile.py",
    "monitor/periods.py",
    "planning/scenario.py",
}
#: owned by other parts of the work (and checked there): the CLI, the pages, the English
#: texts of the simulation (a researcher's tool) and the reference data's own validation
OUTSIDE = ("cli/", "sim/")
#: (module, start of the message): internal errors that never reach a user as a refusal
INTERNAL = {
    # the solver's own status, wrapped by planning.service into a logged 500
    ("planning/qp.py", "HiGHS: "),
    # the error of the workload parser, already translated, prefixed with the field's code
    ("planning/service.py", "workload_table: "),
}


def outside(relative: str) -> bool:
    return relative.startswith(OUTSIDE)


def called(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def literal(node: ast.expr) -> str | None:
    """The text of a str literal or the source of an f-string, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return ast.unparse(node)
    return None


def untranslated(tree: ast.AST, relative: str) -> Iterator[tuple[int, str]]:
    classes = USER_FACING | ({"ValueError"} if relative in VALUE_ERRORS_SHOWN else set())
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        call = node.exc
        name = called(call)
        if name == "one" and isinstance(call.func, ast.Attribute):
            if ast.unparse(call.func.value) != "PortalInputError":
                continue
        elif name not in classes:
            continue
        for position, argument in enumerate(call.args):
            text = literal(argument)
            if text is None:
                continue
            if position == 0 and name in FIELD_FIRST and isinstance(argument, ast.Constant):
                continue  # a field's name, a machine code
            if any(relative == m and text.lstrip("f'\"").startswith(p) for m, p in INTERNAL):
                continue
            yield node.lineno, f"{name}({text[:60]!r})"


def test_user_facing_refusals_go_through_the_catalogue() -> None:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        relative = path.relative_to(SOURCE).as_posix()
        if outside(relative):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found += [f"{relative}:{line}: {what}" for line, what in untranslated(tree, relative)]
    assert found == [], "wrap these messages in _():\n" + "\n".join(found)


def test_the_check_finds_a_literal_and_an_fstring_but_not_a_translated_text() -> None:
    source = """
def f(slug, exc):
    raise NotFoundError(f"onbekende eenheid {slug!r}")
    raise InputError("lat", "geen WGS84-coördinaat")
    raise PortalInputError.one("termijn", "een aantal werkdagen")
    raise ValueError("de periode eindigt voordat ze begint")
    raise InputError("lat", _("geen WGS84-coördinaat"))
    raise ConflictError(_("melding {n} is afgesloten", n=slug))
    raise LookupError("no such attachment")
    raise MonitorRefused("periode", str(exc), 3)
"""
    tree = ast.parse(source)
    assert [line for line, _what in untranslated(tree, "x/y.py")] == [3, 4, 5]
    assert [line for line, _what in untranslated(tree, "monitor/periods.py")] == [3, 4, 5, 6]
