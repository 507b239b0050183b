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


@njit(cache=True)
def candidate(
    u: int,
    priority: int,
    incident_atom: int,
    incident_district: int,
    unit_atom: npt.NDArray[np.int64],
    unit_home: npt.NDArray[np.int64],
    atom_district: npt.NDArray[np.int64],
    unit_state: npt.NDArray[np.int64],
    unit_job_priority: npt.NDArray[np.int64],
    travel: npt.NDArray[np.float64],
    diverting: bool,
) -> tuple[bool, float, int]:
    """The policy for one unit: (eligible, sort key, scope). Lower keys go first.

    ``diverting``: the second pass for prio 1, over units busy on a prio-3 job.
    """
    if diverting:
        if unit_state[u] == BUSY and unit_job_priority[u] == 3:
            return True, travel[0, unit_atom[u], incident_atom], SCOPE_DIVERTED
        return False, 0.0, SCOPE_DIVERTED
    if unit_state[u] != FREE:
        return False, 0.0, SCOPE_WIDER
    home = unit_home[u]
    if home == incident_atom:
        scope = SCOPE_OWN
    elif atom_district[home] == incident_district:
        scope = SCOPE_DISTRICT
    else:
        scope = SCOPE_WIDER
    if priority == 3 and scope != SCOPE_OWN:
        return False, 0.0, scope
    minutes = travel[priority - 1, unit_atom[u], incident_atom]
    if priority == 2 and scope == SCOPE_WIDER:
        minutes += 1e9  # the district first, then wider
    return True, minutes, scope


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
    keys = np.empty(n, dtype=np.float64)
    scopes = np.empty(n, dtype=np.int64)
    chosen = np.empty(n, dtype=np.int64)
    count = 0
    for diverting in (False, True):
        if diverting and (count > 0 or priority != 1 or not divert):
            break
        for u in range(n):
            ok, key, scope = candidate(
                u,
                priority,
                incident_atom,
                incident_district,
                unit_atom,
                unit_home,
                atom_district,
                unit_state,
                unit_job_priority,
                travel,
                diverting,
            )
            if ok:
                keys[count] = key
                scopes[count] = scope
                chosen[count] = u
                count += 1
    order = np.argsort(keys[:count], kind="mergesort")  # stable: ties by unit index
    return chosen[:count][order], scopes[:count][order]


@njit(cache=True)
def pick_units(
    wanted: int,
    out: npt.NDArray[np.int64],
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
    """The first ``wanted`` units of ``rank_units`` (same policy, same order), written to
    ``out`` without allocating or sorting: the simulation's fast path. Returns how many."""
    best_keys = np.empty(wanted, dtype=np.float64)
    count = 0
    for diverting in (False, True):
        if diverting and (count > 0 or priority != 1 or not divert):
            break
        for u in range(unit_atom.shape[0]):
            ok, key, _scope = candidate(
                u,
                priority,
                incident_atom,
                incident_district,
                unit_atom,
                unit_home,
                atom_district,
                unit_state,
                unit_job_priority,
                travel,
                diverting,
            )
            if not ok:
                continue
            if count < wanted:
                position = count
                count += 1
            elif key < best_keys[count - 1]:
                position = count - 1
            else:
                continue
            # insert keeping the order; equal keys stay behind (lower unit index first)
            while position > 0 and key < best_keys[position - 1]:
                best_keys[position] = best_keys[position - 1]
                out[position] = out[position - 1]
                position -= 1
            best_keys[position] = key
            out[position] = u
    return count


SCOPE_NAMES = {
    SCOPE_OWN: "eigen basisteam",
    SCOPE_DISTRICT: "district",
    SCOPE_WIDER: "opschaling",
    SCOPE_DIVERTED: "afgeleid van prio 3",
}


def as_arrays(values: list[int]) -> npt.NDArray[np.int64]:
    return np.asarray(values, dtype=np.int64)
