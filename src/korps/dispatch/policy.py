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
    """Candidate units in dispatch order, and the scope of each (SCOPE_*).

    ``unit_atom``: where each unit is now; ``unit_home``: its basisteam (atom index);
    ``atom_district``: district of each atom; ``travel``: minutes ``[priority-1, from, to]``.
    """
    n = unit_atom.shape[0]
    keys = np.empty(n, dtype=np.float64)
    scopes = np.empty(n, dtype=np.int64)
    count = 0
    chosen = np.empty(n, dtype=np.int64)
    for u in range(n):
        if unit_state[u] != FREE:
            continue
        home = unit_home[u]
        if home == incident_atom:
            scope = SCOPE_OWN
        elif atom_district[home] == incident_district:
            scope = SCOPE_DISTRICT
        else:
            scope = SCOPE_WIDER
        if priority == 3 and scope != SCOPE_OWN:
            continue
        minutes = travel[priority - 1, unit_atom[u], incident_atom]
        tier = 0.0
        if priority == 2 and scope == SCOPE_WIDER:
            tier = 1.0
        keys[count] = tier * 1e9 + minutes
        scopes[count] = scope
        chosen[count] = u
        count += 1
    if count == 0 and priority == 1 and divert:
        for u in range(n):
            if unit_state[u] == BUSY and unit_job_priority[u] == 3:
                keys[count] = travel[0, unit_atom[u], incident_atom]
                scopes[count] = SCOPE_DIVERTED
                chosen[count] = u
                count += 1
    order = np.argsort(keys[:count], kind="mergesort")  # stable: ties by unit index
    return chosen[:count][order], scopes[:count][order]


SCOPE_NAMES = {
    SCOPE_OWN: "eigen basisteam",
    SCOPE_DISTRICT: "district",
    SCOPE_WIDER: "opschaling",
    SCOPE_DIVERTED: "afgeleid van prio 3",
}


def as_arrays(values: list[int]) -> npt.NDArray[np.int64]:
    return np.asarray(values, dtype=np.int64)
