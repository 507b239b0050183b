"""Moved: the default scenario of a unit in the registry is built in
``korps.planning.twin`` (so that ``korps.sim`` reads no database). This name stays for
callers of ``korps.sim.build.scenario_for_unit`` and ``basisteam_places``."""

from __future__ import annotations

from korps.planning.twin import basisteam_places, scenario_for_unit

__all__ = ["basisteam_places", "scenario_for_unit"]
