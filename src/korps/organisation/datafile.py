"""The dataset YAML schema (docs/datasets.md) and its parser with file/line/path errors."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from korps.organisation.fields import bad_character

SLUG_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"
M = TypeVar("M", bound=BaseModel)
CATEGORY_RE = r"^[a-z][a-z0-9_]*$"
GEMEENTE_RE = r"^GM[0-9]{4}$"

UnitKind = Literal[
    "korps", "eenheid", "dienst", "afdeling", "district", "basisteam", "team", "zone", "directie"
]
AuthorityRole = Literal["burgemeester", "hoofdofficier", "politiechef"]
PartnershipKind = Literal["veiligheidsregio", "veiligheidshuis", "riec"]

Slug = Annotated[str, Field(pattern=SLUG_RE, max_length=120)]
Category = Annotated[str, Field(pattern=CATEGORY_RE, max_length=40)]
GemeenteCode = Annotated[str, Field(pattern=GEMEENTE_RE)]
Fte = Annotated[float, Field(ge=0, allow_inf_nan=False)]
# the lengths of the columns these fields are stored in (korps.organisation.models)
SOURCE_MAX = 300
PERIOD_MAX = 20
DATASET_MAX = 80
MAX_DEPTH = 40  # nesting levels of a YAML document (deeper: refused, not a RecursionError)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False, str_strip_whitespace=True)


class FigureSpec(_Strict):
    value: Fte
    period: str | None = Field(default=None, max_length=PERIOD_MAX)
    source: str | None = Field(default=None, max_length=SOURCE_MAX)
    note: str | None = None
    assumption: str | None = None


class UnitSpec(_Strict):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    kind: UnitKind
    parent: Slug | None = None
    code: str | None = Field(default=None, max_length=20)
    region_code: str | None = Field(default=None, pattern=r"^RE[0-9]{2}$")
    description: str | None = None
    tasks: list[str] = Field(default_factory=list)
    source: str | None = Field(default=None, max_length=SOURCE_MAX)
    figures: dict[Category, FigureSpec] = Field(default_factory=dict)

    @field_validator("figures", mode="before")
    @classmethod
    def _number_is_value(cls, value: object) -> object:
        if isinstance(value, dict):
            return {
                key: {"value": item} if not isinstance(item, dict) else item
                for key, item in value.items()
            }
        return value

    @field_validator("code", mode="before")
    @classmethod
    def _code_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int | float) else value


class ExtraFigureSpec(FigureSpec):
    unit: Slug
    category: Category


class TotalSpec(_Strict):
    label: str = Field(min_length=1, max_length=300)
    category: Category
    published: Fte
    period: str | None = Field(default=None, max_length=PERIOD_MAX)
    rows: list[Slug] | None = None
    children_of: Slug | None = None
    of_kind: UnitKind | None = None
    source: str | None = Field(default=None, max_length=SOURCE_MAX)
    note: str | None = None


class CoverageSpec(_Strict):
    unit: Slug
    gemeente: GemeenteCode
    share: float = Field(default=1.0, gt=0, le=1)
    lat: float | None = Field(default=None, ge=50.0, le=54.0)  # centre of the part served
    lon: float | None = Field(default=None, ge=3.0, le=7.5)
    source: str | None = Field(default=None, max_length=SOURCE_MAX)
    assumption: str | None = None

    @model_validator(mode="after")
    def _both_or_neither(self) -> CoverageSpec:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both `lat` and `lon` of the part served, or neither")
        return self


class AuthoritySpec(_Strict):
    name: str = Field(min_length=1, max_length=200)
    role: AuthorityRole
    unit: Slug | None = None
    gemeente: GemeenteCode | None = None
    published_as: str | None = Field(default=None, max_length=200)
    regioburgemeester: bool = False
    rvo: bool = False
    note: str | None = None
    source: str | None = Field(default=None, max_length=SOURCE_MAX)


class PartnershipSpec(_Strict):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    kind: PartnershipKind
    code: str | None = Field(default=None, max_length=10)
    members: list[GemeenteCode] = Field(default_factory=list)
    members_of_eenheid: str | None = Field(default=None, pattern=r"^RE[0-9]{2}$")
    source: str | None = Field(default=None, max_length=SOURCE_MAX)
    assumption: str | None = None


class DatasetFile(_Strict):
    dataset: Annotated[str, Field(pattern=SLUG_RE, max_length=DATASET_MAX)]
    title: str = Field(min_length=1, max_length=200)
    description: str | None = None
    source: str | None = Field(default=None, max_length=SOURCE_MAX)
    period: str = "onbekend"
    requires: list[Slug] = Field(default_factory=list)
    units: list[UnitSpec] = Field(default_factory=list)
    figures: list[ExtraFigureSpec] = Field(default_factory=list)
    totals: list[TotalSpec] = Field(default_factory=list)
    coverage: list[CoverageSpec] = Field(default_factory=list)
    authorities: list[AuthoritySpec] = Field(default_factory=list)
    partnerships: list[PartnershipSpec] = Field(default_factory=list)

    @field_validator("period", mode="before")
    @classmethod
    def _period_as_text(cls, value: object) -> object:
        return str(value) if isinstance(value, int) else value


@dataclass(frozen=True)
class Problem:
    """One reason a file is refused: where (YAML path, line) and why."""

    path: str
    reason: str
    line: int | None = None

    def render(self, file: str) -> str:
        where = f"{file}:{self.line}" if self.line else file
        return f"{where}: {self.path or '<document>'}: {self.reason}"


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


def _line_of(node: yaml.Node | None, loc: Sequence[str | int]) -> int | None:
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


@dataclass(frozen=True)
class ParsedFile:
    spec: DatasetFile
    root: yaml.Node | None
    file: str

    def problem(self, loc: Sequence[str | int], reason: str) -> Problem:
        return Problem(format_path(loc), reason, _line_of(self.root, loc))


def _pydantic_reason(error: Any) -> str:
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        return "unknown key (see docs/datasets.md for the schema)"
    if error["type"] == "string_pattern_mismatch":
        return f"{message} (got {error['input']!r})"
    if error["type"] in {"literal_error", "greater_than_equal"}:
        return f"{message} (got {error['input']!r})"
    return message


def _too_deep(text: str) -> Problem | None:
    """Nesting deeper than MAX_DEPTH, found from the event stream (which, unlike composing
    the document, does not recurse)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else None
                return Problem("", f"te diep genest: meer dan {MAX_DEPTH} niveaus", line)
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
                        reason = (
                            f"dubbele sleutel {key.value!r} (eerder op regel {seen[key.value]})"
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
        reason = f"malformed YAML: {getattr(exc, 'problem', None) or exc}"
        raise DatasetError(file, [Problem("", reason, line)]) from exc
    except RecursionError as exc:  # e.g. aliases nested deeper than the events show
        reason = f"te diep genest: meer dan {MAX_DEPTH} niveaus"
        raise DatasetError(file, [Problem("", reason)]) from exc
    return root, data


def parse_document(text: str, file: str, model: type[M]) -> tuple[M, yaml.Node | None]:
    """Parse YAML and validate it with ``model``; raise DatasetError naming file, line, path."""
    root, data = _compose(text, file)
    if not isinstance(data, dict):
        raise DatasetError(file, [Problem("", "the document must be a YAML mapping", 1)])
    try:
        return model.model_validate(data), root
    except ValidationError as exc:
        problems: list[Problem] = []
        seen: set[tuple[str, str]] = set()
        for error in exc.errors():
            loc = tuple(error["loc"])
            path, reason = format_path(loc), _pydantic_reason(error)
            if (path, reason) in seen:
                continue
            seen.add((path, reason))
            problems.append(Problem(path, reason, _line_of(root, loc)))
        raise DatasetError(file, problems) from exc


def parse_text(text: str, file: str) -> ParsedFile:
    """Parse and validate a dataset document; raise DatasetError naming file, line and path."""
    spec, root = parse_document(text, file, DatasetFile)
    return ParsedFile(spec=spec, root=root, file=file)


def read_text(path: Path) -> str:
    """A data file's text; an unreadable file is a DatasetError naming it."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(str(path), [Problem("", f"cannot read file: {exc}")]) from exc


def read_document(path: Path, model: type[M]) -> M:
    """Read a YAML file and validate it with ``model`` (errors name file, line and path)."""
    document, _root = parse_document(read_text(path), str(path), model)
    return document


def parse_file(path: Path) -> ParsedFile:
    return parse_text(read_text(path), str(path))
