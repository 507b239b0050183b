"""The control room's reference data: channels, the classification table with default
priorities, the response-time norms, unit kinds and the location rule.

Bundled as ``datasets/meldkamer.yaml`` (every value with a source or an assumption); a user's
own file in the same schema is read by :func:`load_reference`, validated the same way, and a
bad file is refused with file, line, path and reason.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from korps.common.datafile import read_document

CODE_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"


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


Country = Literal["NL", "BE"]


class Channel(_Sourced):
    code: str = Field(pattern=r"^[a-z0-9-]+$", max_length=20)
    name: str = Field(min_length=1)
    countries: list[Country] = Field(
        min_length=1, description="where the channel exists: NL (eenheid), BE (zone)"
    )


class CloseReason(_Strict):
    """Why an incident was closed without a unit on scene (shown and stored as its code)."""

    code: Annotated[str, Field(pattern=CODE_RE, max_length=30)]
    name: str = Field(min_length=1, max_length=100)
    needs_text: bool = Field(False, description="the operator must say more (Anders)")


class Norm(_Sourced):
    """Prio ``priority`` on scene within ``minutes`` in at least ``share`` of the incidents."""

    priority: int = Field(ge=1, le=3)
    minutes: float | None = Field(None, gt=0)
    share: float | None = Field(None, gt=0, le=1)


class UnitKind(_Strict):
    code: Annotated[str, Field(pattern=CODE_RE, max_length=30)]
    name: str = Field(min_length=1)


class Category(_Sourced):
    code: Annotated[str, Field(pattern=CODE_RE, max_length=60)]
    name: str = Field(min_length=1, max_length=200)
    priority: int = Field(ge=1, le=3)


class LocationRule(_Sourced):
    max_distance_km: float = Field(gt=0)


class KpiRule(_Sourced):
    """How the KPI page judges a share against its norm."""

    min_incidents: int = Field(ge=1, description="judged incidents needed for a verdict")


class Reference(_Strict):
    title: str
    source: str | None = None
    channels: list[Channel] = Field(min_length=1)
    norms: list[Norm]
    unit_kinds: list[UnitKind] = Field(min_length=1)
    location: LocationRule
    kpi: KpiRule
    categories: list[Category] = Field(min_length=1)
    close_reasons: list[CloseReason] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Reference:
        for name, codes in (
            ("channels", [c.code for c in self.channels]),
            ("categories", [c.code for c in self.categories]),
            ("unit_kinds", [k.code for k in self.unit_kinds]),
            ("norms", [str(n.priority) for n in self.norms]),
            ("close_reasons", [r.code for r in self.close_reasons]),
        ):
            doubles = sorted({c for c in codes if codes.count(c) > 1})
            if doubles:
                raise ValueError(f"{name}: duplicate code(s) {', '.join(doubles)}")
        return self

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def norm(self, priority: int) -> Norm | None:
        norm = next((n for n in self.norms if n.priority == priority), None)
        return norm if norm is not None and norm.minutes is not None else None

    @property
    def channel_codes(self) -> list[str]:
        return [c.code for c in self.channels]

    def channels_for(self, country: str) -> list[Channel]:
        """The intake channels of a country (NL: an eenheid, BE: a police zone)."""
        return [c for c in self.channels if country in c.countries]

    def close_reason(self, code: str) -> CloseReason | None:
        return next((r for r in self.close_reasons if r.code == code), None)

    @property
    def kind_codes(self) -> list[str]:
        return [k.code for k in self.unit_kinds]

    def unit_kind_name(self, code: str) -> str:
        """The (Dutch) name of a unit kind, the code itself when unknown; shown via ``| t``."""
        return next((k.name for k in self.unit_kinds if k.code == code), code)

    def channel_name(self, code: str) -> str:
        """The (Dutch) name of an intake channel, the code itself when unknown."""
        return next((c.name for c in self.channels if c.code == code), code)


def bundled_path() -> Path:
    return Path(str(resources.files("korps") / "datasets" / "meldkamer.yaml"))


def load_reference(path: Path) -> Reference:
    """Read and validate a reference file; raise DatasetError naming file, line and path."""
    return read_document(path, Reference)


@lru_cache
def bundled_reference() -> Reference:
    """The bundled reference data (read once per process)."""
    return load_reference(bundled_path())
