"""Pydantic shapes of the formation domain: import rows and reports, gaps, the wijkagent target."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from korps.organisation.schemas import UnitRef


class ImportReport(BaseModel):
    """What an occupancy import wrote; ``messages`` are warnings, not errors."""

    file: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    messages: list[str] = Field(default_factory=list)


class GapFigures(BaseModel):
    """Formation against occupancy; ``gap`` = formation - occupancy (positive: unfilled fte)."""

    formation: float | None = Field(None, description="formatie in fte (the published figure)")
    occupancy: float | None = Field(None, description="bezetting in fte (imported)")
    gap: float | None = Field(None, description="formation - occupancy, if both are known")
    percentage: float | None = Field(
        None, description="occupancy / formation x 100, if both are known and formation > 0"
    )


class SubtreeFigures(GapFigures):
    """Sums over the topmost descendants that have both numbers (each fte counted once)."""

    units: int = Field(description="how many descendants the sums cover")


class GapRow(BaseModel):
    unit: UnitRef
    depth: int = Field(description="levels below the unit the report is for")
    own: GapFigures
    subtree: SubtreeFigures | None = None


class GapReport(BaseModel):
    """Gap per unit of a subtree for one category and period; ``rows[0]`` is the unit itself."""

    unit: UnitRef
    category: str
    period: str | None = Field(None, description="None when no figure of the category exists")
    own: GapFigures
    subtree: SubtreeFigures | None = None
    rows: list[GapRow] = Field(default_factory=list)


class TargetOut(BaseModel):
    """Is the occupancy of a category at least ``target`` % of its formation?"""

    unit: UnitRef
    rule: str
    category: str
    period: str | None = None
    formation: float | None = None
    occupancy: float | None = None
    percentage: float | None = None
    target: float = Field(description="the target applied, in percent of the formation")
    default_target: float = Field(description="the norm's own target (the published one)")
    met: bool | None = Field(None, description="None when formation or occupancy is unknown")
    basis: Literal["own", "subtree"] | None = Field(
        None, description="own figures of the unit, or the sums over its subtree"
    )
    units: int = Field(0, description="units the figures cover (1 for own figures)")
    source: str
