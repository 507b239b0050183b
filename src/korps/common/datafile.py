"""Validated files, the same way in every domain: a YAML (or table) document is parsed and
checked, and a refusal is one DatasetError listing each Problem with file, line and path.

Every domain reads its files through ``parse_document``/``read_document`` and raises
``DatasetError`` for what it refuses, so the CLI, the API and the pages report them alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from korps.common import reasons
from korps.common.fields import bad_character
from korps.common.i18n import N_, _

M = TypeVar("M", bound=BaseModel)
MAX_DEPTH = 40  # nesting levels of a YAML document (deeper: refused, not a RecursionError)
SLUG_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"
CATEGORY_RE = r"^[a-z][a-z0-9_]*$"
#: where a problem of the whole document (no path inside it) is, in a refusal
DOCUMENT = N_("<document>")


@dataclass(frozen=True)
class Problem:
    """One reason a file is refused: where (YAML path, line) and why."""

    path: str
    reason: str
    line: int | None = None

    def render(self, file: str) -> str:
        where = f"{file}:{self.line}" if self.line else file
        return f"{where}: {self.path or _(DOCUMENT)}: {self.reason}"


class DatasetError(Exception):
    """A dataset file was refused; nothing was written."""

    def __init__(self, file: str, problems: Sequence[Problem]) -> None:
        self.file = file
        self.problems = list(problems)
        super().__init__("\n".join(p.render(file) for p in self.problems))


def format_path(loc: Sequence[str | int]) -> str:
    """``('units', 3, 'parent')`` -> ``units[3].parent``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def line_of(node: yaml.Node | None, loc: Sequence[str | int]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (or of its nearest existing ancestor)."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    child = value
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
        if child is None:
            return line
        node = child
        line = node.start_mark.line + 1
    return line


SHOWS_INPUT = {"string_pattern_mismatch", "literal_error", "greater_than_equal", "enum"}


def pydantic_reason(error: Any) -> str:
    """Why a value in a file was refused (korps.common.reasons), with the value where
    that helps to find it."""
    if error["type"] == "extra_forbidden":
        return _("onbekende sleutel (zie docs/datasets.md voor het schema)")
    text = reasons.reason(error)
    if error["type"] in SHOWS_INPUT:
        return _("{reason} (kreeg {value})", reason=text, value=repr(error["input"]))
    return text


def _too_deep(text: str) -> Problem | None:
    """Nesting deeper than MAX_DEPTH, found from the event stream (which, unlike composing
    the document, does not recurse)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else None
                return Problem(
                    "", _("te diep genest: meer dan {depth} niveaus", depth=MAX_DEPTH), line
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _node_problems(root: yaml.Node | None) -> list[Problem]:
    """Duplicate keys in a mapping (YAML would silently keep the last) and text a database
    cannot store (NUL, e.g. from a ``"\\0"`` escape), with their lines."""
    problems: list[Problem] = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            if isinstance(node.value, str) and (reason := bad_character(node.value)):
                problems.append(Problem("", reason, node.start_mark.line + 1))
        elif isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value != "<<":
                    line = key.start_mark.line + 1
                    if key.value in seen:
                        reason = _(
                            "dubbele sleutel {key} (eerder op regel {line})",
                            key=repr(key.value),
                            line=seen[key.value],
                        )
                        problems.append(Problem(key.value, reason, line))
                    seen.setdefault(key.value, line)
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(problems, key=lambda p: p.line or 0)


def _compose(text: str, file: str) -> tuple[yaml.Node | None, Any]:
    try:
        if (deep := _too_deep(text)) is not None:
            raise DatasetError(file, [deep])
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            if problems := _node_problems(root):
                raise DatasetError(file, problems)
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = _("ongeldige YAML: {problem}", problem=getattr(exc, "problem", None) or exc)
        raise DatasetError(file, [Problem("", reason, line)]) from exc
    except RecursionError as exc:  # e.g. aliases nested deeper than the events show
        reason = _("te diep genest: meer dan {depth} niveaus", depth=MAX_DEPTH)
        raise DatasetError(file, [Problem("", reason)]) from exc
    return root, data


def parse_document(text: str, file: str, model: type[M]) -> tuple[M, yaml.Node | None]:
    """Parse YAML and validate it with ``model``; raise DatasetError naming file, line, path."""
    root, data = _compose(text, file)
    if not isinstance(data, dict):
        raise DatasetError(
            file, [Problem("", _("het document moet een YAML-mapping zijn (sleutel: waarde)"), 1)]
        )
    try:
        return model.model_validate(data), root
    except ValidationError as exc:
        problems: list[Problem] = []
        seen: set[tuple[str, str]] = set()
        for error in exc.errors():
            loc = tuple(error["loc"])
            path, reason = format_path(loc), pydantic_reason(error)
            if (path, reason) in seen:
                continue
            seen.add((path, reason))
            problems.append(Problem(path, reason, line_of(root, loc)))
        raise DatasetError(file, problems) from exc


def read_text(path: Path) -> str:
    """A data file's text; an unreadable file is a DatasetError naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(
            str(path), [Problem("", _("bestand niet te lezen: {error}", error=exc))]
        ) from exc


def read_document(path: Path, model: type[M]) -> M:
    """Read a YAML file and validate it with ``model`` (errors name file, line and path)."""
    document, _root = parse_document(read_text(path), str(path), model)
    return document
