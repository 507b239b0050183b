"""Which unit goes: the dispatch policy, one implementation for the live control room and the
simulation kernel (numba-compiled; pure numpy arrays in, candidate order out).

- prio 1: the nearest free unit in the whole regional unit (upscaling across basisteams and
  districts). With ``divert``, when no unit is free, the nearest unit busy on a prio-3 job.
- prio 2: the nearest free unit of the incident's district first, then the nearest elsewhere.
- prio 3: the nearest free unit of the incident's own basisteam; otherwise it waits.

Ties in travel time go to the lower unit index (a stable, documented order).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

FREE = 0
BUSY = 1
OFF_DUTY = 2

SCOPE_OWN = 0  # the incident's own basisteam
SCOPE_DISTRICT = 1
SCOPE_WIDER = 2
SCOPE_DIVERTED = 3


WIDER = 1e9  # added to the key of a prio-2 candidate outside the incident's district
INELIGIBLE = np.inf


@njit(cache=True)
def unit_key(
    u: int,
    priority: int,
    incident_atom: int,
    incident_district: int,
    unit_atom: npt.NDArray[np.int64],
    unit_home: npt.NDArray[np.int64],
    atom_district: npt.NDArray[np.int64],
    unit_state: npt.NDArray[np.int64],
    minutes: npt.NDArray[np.float64],
) -> float:
    """THE policy for one free unit: its sort key (lower goes first), or INELIGIBLE.

    ``minutes`` is the travel matrix of the incident's priority, ``[from atom, to atom]``.
    """
    if unit_state[u] != FREE:
        return INELIGIBLE
    home = unit_home[u]
    if priority == 3 and home != incident_atom:
        return INELIGIBLE
    key: float = minutes[unit_atom[u], incident_atom]
    if priority == 2 and home != incident_atom and atom_district[home] != incident_district:
        key += WIDER  # the district first, then wider
    return key


@njit(cache=True)
def divert_key(
    u: int,
    incident_atom: int,
    unit_atom: npt.NDArray[np.int64],
    unit_state: npt.NDArray[np.int64],
    unit_job_priority: npt.NDArray[np.int64],
    minutes: npt.NDArray[np.float64],
) -> float:
    """For a prio-1 incident with no free unit: units busy on a prio-3 job, nearest first."""
    if unit_state[u] == BUSY and unit_job_priority[u] == 3:
        return float(minutes[unit_atom[u], incident_atom])
    return INELIGIBLE


@njit(cache=True)
def rank_units(
    priority: int,
    incident_atom: int,
    incident_district: int,
    unit_atom: npt.NDArray[np.int64],
    unit_home: npt.NDArray[np.int64],
    atom_district: npt.NDArray[np.int64],
    unit_state: npt.NDArray[np.int64],
    unit_job_priority: npt.NDArray[np.int64],
    travel: npt.NDArray[np.float64],
    divert: bool,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every candidate unit in dispatch order, and the scope of each (SCOPE_*).

    ``unit_atom``: where each unit is now; ``unit_home``: its basisteam (atom index);
    ``atom_district``: district of each atom; ``travel``: minutes ``[priority-1, from, to]``.
    """
    n = unit_atom.shape[0]
    minutes = travel[priority - 1]
    keys = np.empty(n, dtype=np.float64)
    for u in range(n):
        keys[u] = unit_key(
            u,
            priority,
            incident_atom,
            incident_district,
            unit_atom,
            unit_home,
            atom_district,
            unit_state,
            minutes,
        )
    diverted = False
    if priority == 1 and divert and not (keys < INELIGIBLE).any():
        diverted = True
        for u in range(n):
            keys[u] = divert_key(
                u, incident_atom, unit_atom, unit_state, unit_job_priority, travel[0]
            )
    chosen = np.nonzero(keys < INELIGIBLE)[0]
    order = chosen[np.argsort(keys[chosen], kind="mergesort")]  # ties: lower unit index
    scopes = np.empty(order.shape[0], dtype=np.int64)
    for k in range(order.shape[0]):
        home = unit_home[order[k]]
        if diverted:
            scopes[k] = SCOPE_DIVERTED
        elif home == incident_atom:
            scopes[k] = SCOPE_OWN
        elif atom_district[home] == incident_district:
            scopes[k] = SCOPE_DISTRICT
        else:
            scopes[k] = SCOPE_WIDER
    return order.astype(np.int64), scopes


@njit(cache=True, inline="always")
def _keep_best(
    key: float,
    u: int,
    count: int,
    wanted: int,
    best: npt.NDArray[np.float64],
    out: npt.NDArray[np.int64],
) -> int:
    """Insert ``u`` among the ``wanted`` lowest (key, unit index) pairs seen so far."""
    if count < wanted:
        position = count
        count += 1
    elif key < best[count - 1] or (key == best[count - 1] and u < out[count - 1]):
        position = count - 1
    else:
        return count
    while position > 0 and (
        key < best[position - 1] or (key == best[position - 1] and u < out[position - 1])
    ):
        best[position] = best[position - 1]
        out[position] = out[position - 1]
        position -= 1
    best[position] = key
    out[position] = u
    return count


@njit(cache=True)
def pick_units(
    wanted: int,
    out: npt.NDArray[np.int64],
    best: npt.NDArray[np.float64],
    candidates: npt.NDArray[np.int64],
    n_candidates: int,
    others: npt.NDArray[np.int64],
    n_others: int,
    priority: int,
    incident_atom: int,
    incident_district: int,
    unit_atom: npt.NDArray[np.int64],
    unit_home: npt.NDArray[np.int64],
    atom_district: npt.NDArray[np.int64],
    unit_state: npt.NDArray[np.int64],
    unit_job_priority: npt.NDArray[np.int64],
    travel: npt.NDArray[np.float64],
    divert: bool,
) -> int:
    """The first ``wanted`` units of ``rank_units`` (same keys, same order), written to
    ``out`` without allocating or sorting: the simulation's fast path. The free units are
    looked for in ``candidates[:n_candidates]`` (any order, e.g. the free units), units to
    divert in ``others[:n_others]`` (e.g. those on duty); ``best`` is scratch space as long
    as ``out``. Returns how many were found."""
    # unit_key written out for speed (7x in numba); equal to rank_units by property test
    minutes = travel[priority - 1]
    count = 0
    best_key = INELIGIBLE
    best_unit = -1
    for k in range(n_candidates):
        u = candidates[k]
        if unit_state[u] != FREE:
            continue
        home = unit_home[u]
        if priority == 3 and home != incident_atom:
            continue
        key = minutes[unit_atom[u], incident_atom]
        if priority == 2 and home != incident_atom and atom_district[home] != incident_district:
            key += WIDER
        if wanted == 1:  # the common case: just the minimum (key, unit index)
            if key < best_key or (key == best_key and u < best_unit):
                best_key = key
                best_unit = u
        else:
            count = _keep_best(key, u, count, wanted, best, out)
    if wanted == 1 and best_unit >= 0:
        out[0] = best_unit
        count = 1
    if count == 0 and priority == 1 and divert:
        for k in range(n_others):
            key = divert_key(
                others[k], incident_atom, unit_atom, unit_state, unit_job_priority, travel[0]
            )
            if key < INELIGIBLE:
                count = _keep_best(key, others[k], count, wanted, best, out)
    return count


SCOPE_NAMES = {
    SCOPE_OWN: "eigen basisteam",
    SCOPE_DISTRICT: "district",
    SCOPE_WIDER: "opschaling",
    SCOPE_DIVERTED: "afgeleid van prio 3",
}
