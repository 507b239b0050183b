"""The teams an allocation runs on and their indicator values (read by ``inputs``, used by
``plan`` and ``weights``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TeamInput:
    key: str
    name: str
    group: str | None
    level: int
    values: dict[str, float]


@dataclass(frozen=True)
class Inputs:
    unit: str | None
    teams: list[TeamInput]
