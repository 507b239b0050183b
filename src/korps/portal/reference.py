"""The portal's reference data: the classification table (what a citizen can report, with
its deadline in working days), the statuses with the whitelist of moves and the citizen's
plain-language projection, and the ordered routing rules.

Its names, labels and explanations are Dutch and shown through the catalogue
(korps.common.datatexts: ``{{ category.name | t }}``, :meth:`PortalReference.route_reason`).

Bundled as ``datasets/portal.yaml`` (every value with a source or an assumption); validated
by Pydantic on load, a bad file refused with file, line, path and reason.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from korps.common.datafile import read_document
from korps.common.datatexts import shown
from korps.common.i18n import N_, _

CODE_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Code = Annotated[str, Field(pattern=CODE_RE, max_length=40)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class _Sourced(_Strict):
    source: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _has_provenance(self) -> _Sourced:
        if not (self.source or self.assumption):
            raise ValueError("give a source or an assumption with its reason")
        return self


class Category(_Sourced):
    code: Code
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["aangifte", "melding", "verzoek"]  # verzoek: korps.portal.requests
    deadline_days: int = Field(ge=1, le=120)
    goods: bool = True
    identifier_label: str = Field("Kenmerk", max_length=60)


class Status(_Strict):
    code: Code
    label: str = Field(min_length=1, max_length=60)
    open: bool
    citizen: str = Field(min_length=1, max_length=60)
    explanation: str = Field(min_length=1, max_length=300)
    requires: Literal["question", "decision", "forward"] | None = None
    medewerker: list[Code] = Field(default_factory=list)
    burger: list[Code] = Field(default_factory=list)


class Condition(_Strict):
    categories: list[Code] | None = None
    min_value_eur: float | None = Field(None, ge=0)
    same_identifier_within_days: int | None = Field(None, ge=1, le=3650)
    ib_levels: list[Code] | None = None  # the individual assessment's level (portal-ib.yaml)


class Rule(_Sourced):
    name: Code
    when: Condition
    to: Literal["basisteam", "district", "eenheid"]
    explanation: str = Field(min_length=1, max_length=300)


class Channel(_Sourced):
    code: Annotated[str, Field(pattern=CODE_RE, max_length=20)]
    name: str = Field(min_length=1, max_length=100)


class Template(_Strict):
    status: Code
    name: str = Field(min_length=1, max_length=80)
    text: str = Field(min_length=1, max_length=2000)


class FromIncident(_Sourced):
    """How a control-room incident opens a dossier: its channel and the incident category
    that gives the dossier's category (issue 16.2)."""

    channel: Annotated[str, Field(pattern=CODE_RE, max_length=20)] = "meldkamer"
    categories: dict[Annotated[str, Field(max_length=60)], Code] = Field(default_factory=dict)


class PortalReference(_Strict):
    dataset: Literal["portal"]
    title: str
    source: str | None = None
    categories: list[Category] = Field(min_length=1)
    statuses: list[Status] = Field(min_length=1)
    expired_question_to: Code
    question_days: int = Field(ge=1, le=60)
    channels: list[Channel] = Field(min_length=1)
    purge_after_days: int = Field(ge=30, le=3650)
    templates: list[Template] = Field(default_factory=list)
    partners: list[str] = Field(default_factory=list)
    routing: list[Rule] = Field(min_length=1)
    from_incident: FromIncident = FromIncident(assumption="no incident categories mapped")

    @model_validator(mode="after")
    def _consistent(self) -> PortalReference:
        for name, codes in (
            ("categories", [c.code for c in self.categories]),
            ("statuses", [s.code for s in self.statuses]),
            ("routing", [r.name for r in self.routing]),
            ("channels", [c.code for c in self.channels]),
        ):
            doubles = sorted({c for c in codes if codes.count(c) > 1})
            if doubles:
                raise ValueError(f"{name}: duplicate code(s) {', '.join(doubles)}")
        known = {s.code for s in self.statuses}
        for status in self.statuses:
            unknown = sorted(set(status.medewerker + status.burger) - known)
            if unknown:
                raise ValueError(f"status {status.code}: unknown next status {', '.join(unknown)}")
        unknown_templates = sorted({t.status for t in self.templates} - known)
        if unknown_templates:
            raise ValueError(f"templates: unknown status {', '.join(unknown_templates)}")
        if self.expired_question_to not in known:
            raise ValueError(f"expired_question_to: unknown status {self.expired_question_to}")
        if self.statuses[0].code != "ontvangen":
            raise ValueError("statuses: the first status (of every new dossier) is ontvangen")
        last = self.routing[-1].when
        if (
            last.categories
            or last.min_value_eur
            or last.same_identifier_within_days
            or last.ib_levels
        ):
            raise ValueError("routing: the last rule must match every dossier (when: {})")
        categories = {c.code for c in self.categories}
        for rule in self.routing:
            unknown = sorted(set(rule.when.categories or []) - categories)
            if unknown:
                raise ValueError(f"routing {rule.name}: unknown category {', '.join(unknown)}")
        unmapped = sorted(set(self.from_incident.categories.values()) - categories)
        if unmapped:
            raise ValueError(f"from_incident: unknown category {', '.join(unmapped)}")
        return self

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def status(self, code: str) -> Status:
        found = next((s for s in self.statuses if s.code == code), None)
        if found is None:
            raise KeyError(code)
        return found

    def channel_name(self, code: str) -> str:
        """The (Dutch) name of a channel, the code itself when unknown; shown via ``| t``."""
        return next((c.name for c in self.channels if c.code == code), code)

    def route_reason(self, rule: str | None, reason: str | None) -> str:
        """A dossier's stored routing reason (the rule's Dutch explanation, then where) in
        the current locale: the explanation is translated, the rest shown as stored."""
        found = next((r for r in self.routing if r.name == rule), None)
        if not reason or found is None or not reason.startswith(found.explanation):
            return reason or ""
        rest = reason[len(found.explanation) :]
        for kind in ("basisteam", "district", "eenheid"):
            note = f" ({NO_UNIT_NOTE.format(to=kind)})"
            if rest.startswith(note):
                rest = f" ({_(NO_UNIT_NOTE, to=_(kind))})" + rest[len(note) :]
                break
        return shown(found.explanation) + rest

    def allowed(self, current: str, role: str) -> list[str]:
        """The statuses ``role`` (medewerker or burger) may move a dossier in ``current`` to."""
        status = self.status(current)
        return list(status.medewerker if role == "medewerker" else status.burger)


#: stored (in Dutch) after the rule's explanation when the place has no unit of the rule's
#: kind; translated where shown (:meth:`PortalReference.route_reason`)
NO_UNIT_NOTE = N_("geen {to} bekend voor deze plaats")


def bundled_path() -> Path:
    return Path(str(resources.files("korps") / "datasets" / "portal.yaml"))


def load_reference(path: Path) -> PortalReference:
    """Read and validate a portal file; raise DatasetError naming file, line and path."""
    return read_document(path, PortalReference)


@lru_cache
def portal_reference() -> PortalReference:
    """The bundled portal reference data (read once per process)."""
    return load_reference(bundled_path())
