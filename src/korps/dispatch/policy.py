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


IntArray = npt.NDArray[np.int64]

NONE = -1  # the end of a linked list (``link``)
WIDER = 1e9  # added to the key of a prio-2 candidate outside the incident's district
INELIGIBLE = np.inf


@njit(cache=True, inline="always")
def free_key(
    minutes: float,
    home: int,
    priority: int,
    incident_atom: int,
    incident_district: int,
    atom_district: npt.NDArray[np.int64],
) -> float:
    """THE policy for a free unit based at ``home`` that is ``minutes`` away: its sort key
    (lower goes first), or INELIGIBLE. Scalars in, so the fast path can inline it."""
    if priority == 3 and home != incident_atom:
        return INELIGIBLE
    if priority == 2 and home != incident_atom and atom_district[home] != incident_district:
        return minutes + WIDER  # the district first, then wider
    return minutes


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
    """The policy for one unit of any state: ``free_key`` if it is free, else INELIGIBLE.

    ``minutes`` is the travel matrix of the incident's priority, ``[from atom, to atom]``.
    """
    if unit_state[u] != FREE:
        return INELIGIBLE
    return free_key(
        minutes[unit_atom[u], incident_atom],
        unit_home[u],
        priority,
        incident_atom,
        incident_district,
        atom_district,
    )


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
def places_by_travel(travel: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """``[priority-1, atom]``: all atoms, nearest to ``atom`` first (ties: lower index), by
    the travel minutes from each of them to ``atom``. A free unit's key is at least the
    minutes from where it is, so the fast path can stop walking this order early."""
    priorities, atoms = travel.shape[0], travel.shape[1]
    order = np.empty((priorities, atoms, atoms), dtype=np.int64)
    for p in range(priorities):
        for a in range(atoms):
            order[p, a] = np.argsort(travel[p, :, a], kind="mergesort")
    return order


@njit(cache=True, inline="always")
def link(head: IntArray, nxt: IntArray, prev: IntArray, group: int, u: int) -> None:
    """Put unit ``u`` into the doubly linked list of ``group`` (any order: ties are broken
    by unit index when picking, not by list order)."""
    first = head[group]
    nxt[u] = first
    prev[u] = NONE
    if first != NONE:
        prev[first] = u
    head[group] = u


@njit(cache=True, inline="always")
def unlink(head: IntArray, nxt: IntArray, prev: IntArray, group: int, u: int) -> None:
    """Take unit ``u`` out of the list of ``group`` that ``link`` put it in."""
    before, after = prev[u], nxt[u]
    if before == NONE:
        head[group] = after
    else:
        nxt[before] = after
    if after != NONE:
        prev[after] = before


@njit(cache=True, inline="always")  # into the kernel's loop, which counts no references
def pick_units(
    wanted: int,
    out: npt.NDArray[np.int64],
    best: npt.NDArray[np.float64],
    priority: int,
    incident_atom: int,
    incident_district: int,
    free: tuple[IntArray, IntArray, IntArray, IntArray],
    places: npt.NDArray[np.int64],
    others: npt.NDArray[np.int64],
    n_others: int,
    unit_atom: npt.NDArray[np.int64],
    unit_home: npt.NDArray[np.int64],
    atom_district: npt.NDArray[np.int64],
    unit_state: npt.NDArray[np.int64],
    unit_job_priority: npt.NDArray[np.int64],
    travel: npt.NDArray[np.float64],
    divert: bool,
) -> int:
    """The first ``wanted`` units of ``rank_units`` (same keys, same order), written to
    ``out`` without allocating, sorting or looking at every unit: the simulation's fast
    path. Returns how many were found; ``best`` is scratch space as long as ``out``.

    ``free`` = (head by place, next by place, head by home, next by home): the free units
    (and only those) in linked lists (``link``) by the atom each is at now (``unit_atom``)
    and by its basisteam (``unit_home``). Prio 1 and 2 walk the places nearest first
    (``places``, from ``places_by_travel``) and stop once the next place is further than
    the ``wanted``-th best key so far: no unit there can come before (ties included, as
    the comparison is strict). Prio 3 looks at its own basisteam's free units only. Units
    to divert are looked for in ``others[:n_others]`` (e.g. those on duty)."""
    if wanted <= 0:
        return 0
    minutes = travel[priority - 1]
    place_head, place_next, home_head, home_next = free
    count = 0
    if priority == 3:  # its own basisteam's units, wherever they are (free_key: eligible)
        u = home_head[incident_atom]
        while u != NONE:
            key = minutes[unit_atom[u], incident_atom]
            count = _keep_best(key, u, count, wanted, best, out)
            u = home_next[u]
    else:
        order = places[priority - 1, incident_atom]
        for r in range(order.shape[0]):
            place = order[r]
            nearest = minutes[place, incident_atom]
            if count == wanted and nearest > best[count - 1]:
                break
            u = place_head[place]
            while u != NONE:
                key = free_key(
                    nearest, unit_home[u], priority, incident_atom, incident_district, atom_district
                )
                count = _keep_best(key, u, count, wanted, best, out)
                u = place_next[u]
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
