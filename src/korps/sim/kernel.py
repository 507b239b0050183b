"""The event loop of the digital twin, compiled with numba.

Everything is a flat numpy array: incidents (pre-drawn, sorted by arrival), unit shifts
(pre-expanded over the horizon), the travel matrices. Times are minutes from the start.
The dispatch choice is ``korps.dispatch.policy.rank_units``, the same function the live
control room uses.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from korps.dispatch.policy import BUSY, FREE, OFF_DUTY, rank_units

SHIFT_END = 0  # before a start at the same minute: back-to-back shifts
SHIFT_START = 1
OPERATORS = 2
ARRIVAL = 3
INTAKE_DONE = 4
ON_SCENE = 5
JOB_DONE = 6
AT_BASE = 7

NONE = -1


@njit(cache=True)
def _less(t1: float, k1: int, s1: int, t2: float, k2: int, s2: int) -> bool:
    if t1 != t2:
        return t1 < t2
    if k1 != k2:
        return k1 < k2
    return s1 < s2


@njit(cache=True)
def _push(ht, hk, hi, he, hs, size, seq, t, kind, ident, epoch):
    i = size
    ht[i], hk[i], hi[i], he[i], hs[i] = t, kind, ident, epoch, seq
    while i > 0:
        parent = (i - 1) // 2
        if _less(ht[i], hk[i], hs[i], ht[parent], hk[parent], hs[parent]):
            ht[i], ht[parent] = ht[parent], ht[i]
            hk[i], hk[parent] = hk[parent], hk[i]
            hi[i], hi[parent] = hi[parent], hi[i]
            he[i], he[parent] = he[parent], he[i]
            hs[i], hs[parent] = hs[parent], hs[i]
            i = parent
        else:
            break
    return size + 1


@njit(cache=True)
def _pop(ht, hk, hi, he, hs, size):
    last = size - 1
    ht[0], hk[0], hi[0], he[0], hs[0] = ht[last], hk[last], hi[last], he[last], hs[last]
    size = last
    i = 0
    while True:
        left = 2 * i + 1
        right = left + 1
        best = i
        if left < size and _less(ht[left], hk[left], hs[left], ht[best], hk[best], hs[best]):
            best = left
        if right < size and _less(ht[right], hk[right], hs[right], ht[best], hk[best], hs[best]):
            best = right
        if best == i:
            break
        ht[i], ht[best] = ht[best], ht[i]
        hk[i], hk[best] = hk[best], hk[i]
        hi[i], hi[best] = hi[best], hi[i]
        he[i], he[best] = he[best], he[i]
        hs[i], hs[best] = hs[best], hs[i]
        i = best
    return size


@njit(cache=True)
def _append(head, tail, nxt, q, i):
    nxt[i] = NONE
    if head[q] == NONE:
        head[q] = i
    else:
        nxt[tail[q]] = i
    tail[q] = i


@njit(cache=True)
def _push_front(head, tail, nxt, q, i):
    nxt[i] = head[q]
    head[q] = i
    if tail[q] == NONE:
        tail[q] = i


@njit(cache=True)
def _pop_front(head, tail, nxt, q):
    i = head[q]
    head[q] = nxt[i]
    if head[q] == NONE:
        tail[q] = NONE
    return i


@njit(cache=True)
def _add_busy(busy_how, start, end):
    """Spread a busy interval over the 168 hours of the week."""
    t = start
    while t < end:
        hour = int(t // 60.0)
        stop = min(end, (hour + 1) * 60.0)
        busy_how[hour % 168] += stop - t
        t = stop


@njit(cache=True)
def simulate(
    inc_time,
    inc_atom,
    inc_prio,
    inc_units,
    inc_intake,
    inc_service,
    operators_by_hour,
    unit_home,
    shift_start,
    shift_end,
    shift_unit,
    atom_district,
    travel,
    horizon,
    divert,
    return_to_base,
):
    """Run one replication; returns per-incident times and per-unit busy minutes.

    ``operators_by_hour[h]`` is the number of intake operators in hour ``h`` of the horizon;
    a negative value means intake is not modelled (dispatch starts at arrival).
    """
    n = inc_time.shape[0]
    m = unit_home.shape[0]
    n_atoms = atom_district.shape[0]
    n_shifts = shift_start.shape[0]
    hours = operators_by_hour.shape[0]
    cap = 2 * n_shifts + 8 * n + hours + 16
    ht = np.empty(cap, np.float64)
    hk = np.empty(cap, np.int64)
    hi = np.empty(cap, np.int64)
    he = np.empty(cap, np.int64)
    hs = np.empty(cap, np.int64)
    size = 0
    seq = 0
    for k in range(n_shifts):
        size = _push(ht, hk, hi, he, hs, size, seq, shift_start[k], SHIFT_START, shift_unit[k], 0)
        seq += 1
        size = _push(ht, hk, hi, he, hs, size, seq, shift_end[k], SHIFT_END, shift_unit[k], 0)
        seq += 1
    intake = operators_by_hour[0] >= 0
    if intake:
        for h in range(1, hours):
            if operators_by_hour[h] != operators_by_hour[h - 1]:
                size = _push(ht, hk, hi, he, hs, size, seq, h * 60.0, OPERATORS, h, 0)
                seq += 1

    u_state = np.full(m, OFF_DUTY, np.int64)
    u_atom = unit_home.copy()
    u_job = np.full(m, NONE, np.int64)
    u_job_prio = np.zeros(m, np.int64)
    u_epoch = np.zeros(m, np.int64)
    u_ending = np.zeros(m, np.bool_)
    u_since = np.zeros(m, np.float64)
    u_busy = np.zeros(m, np.float64)
    busy_how = np.zeros(168, np.float64)

    intake_start = np.full(n, np.nan)
    ready = np.full(n, np.nan)
    dispatched = np.full(n, np.nan)
    first_on_scene = np.full(n, np.nan)
    cleared = np.full(n, np.nan)
    assigned = np.zeros(n, np.int64)
    working = np.zeros(n, np.int64)
    diversions = 0

    # queues: 0 = intake (by priority: 0..2), 3, 4 = prio 1, 2 dispatch, 5 + atom = prio 3
    n_queues = 5 + n_atoms
    head = np.full(n_queues, NONE, np.int64)
    tail = np.full(n_queues, NONE, np.int64)
    nxt = np.full(n, NONE, np.int64)
    ops_busy = 0

    next_arrival = 0
    while True:
        take_arrival = False
        if next_arrival < n:
            if size == 0 or _less(inc_time[next_arrival], ARRIVAL, -1, ht[0], hk[0], hs[0]):
                take_arrival = True
        elif size == 0:
            break
        if take_arrival:
            t = inc_time[next_arrival]
            kind = ARRIVAL
            ident = next_arrival
            epoch = 0
            next_arrival += 1
        else:
            t = ht[0]
            kind = hk[0]
            ident = hi[0]
            epoch = he[0]
            size = _pop(ht, hk, hi, he, hs, size)
        if t > horizon:
            break

        free_unit = NONE
        if kind == ARRIVAL:
            if not intake:
                ready[ident] = t
                intake_start[ident] = t
                kind = INTAKE_DONE  # dispatch straight away (handled below)
            else:
                hour = min(int(t // 60.0), hours - 1)
                if ops_busy < operators_by_hour[hour]:
                    ops_busy += 1
                    intake_start[ident] = t
                    size = _push(
                        ht, hk, hi, he, hs, size, seq, t + inc_intake[ident], INTAKE_DONE, ident, 0
                    )
                    seq += 1
                else:
                    _append(head, tail, nxt, inc_prio[ident] - 1, ident)
                continue
        elif kind == OPERATORS:
            hour = min(ident, hours - 1)
            while ops_busy < operators_by_hour[hour]:
                q = NONE
                for p in range(3):
                    if head[p] != NONE:
                        q = p
                        break
                if q == NONE:
                    break
                i = _pop_front(head, tail, nxt, q)
                ops_busy += 1
                intake_start[i] = t
                size = _push(ht, hk, hi, he, hs, size, seq, t + inc_intake[i], INTAKE_DONE, i, 0)
                seq += 1
            continue

        if kind == INTAKE_DONE:
            i = ident
            if intake and not take_arrival:
                ready[i] = t
                ops_busy -= 1
                hour = min(int(t // 60.0), hours - 1)
                while ops_busy < operators_by_hour[hour]:
                    q = NONE
                    for p in range(3):
                        if head[p] != NONE:
                            q = p
                            break
                    if q == NONE:
                        break
                    j = _pop_front(head, tail, nxt, q)
                    ops_busy += 1
                    intake_start[j] = t
                    size = _push(
                        ht, hk, hi, he, hs, size, seq, t + inc_intake[j], INTAKE_DONE, j, 0
                    )
                    seq += 1
            p = inc_prio[i]
            units, _scopes = rank_units(
                p,
                inc_atom[i],
                atom_district[inc_atom[i]],
                u_atom,
                unit_home,
                atom_district,
                u_state,
                u_job_prio,
                travel,
                divert,
            )
            k = 0
            while assigned[i] < inc_units[i] and k < units.shape[0]:
                u = units[k]
                k += 1
                if u_state[u] == BUSY:  # diverted from a prio-3 job
                    j = u_job[u]
                    assigned[j] -= 1
                    working[j] -= 1
                    _push_front(head, tail, nxt, 5 + inc_atom[j], j)
                    diversions += 1
                else:
                    u_since[u] = t
                u_state[u] = BUSY
                u_job[u] = i
                u_job_prio[u] = p
                u_epoch[u] += 1
                assigned[i] += 1
                working[i] += 1
                if np.isnan(dispatched[i]):
                    dispatched[i] = t
                size = _push(
                    ht,
                    hk,
                    hi,
                    he,
                    hs,
                    size,
                    seq,
                    t + travel[p - 1, u_atom[u], inc_atom[i]],
                    ON_SCENE,
                    u,
                    u_epoch[u],
                )
                seq += 1
            if assigned[i] < inc_units[i]:
                q = 3 if p == 1 else (4 if p == 2 else 5 + inc_atom[i])
                _append(head, tail, nxt, q, i)
            continue

        if kind == SHIFT_START:
            u = ident
            u_ending[u] = False
            if u_state[u] == OFF_DUTY:
                u_state[u] = FREE
                u_atom[u] = unit_home[u]
                free_unit = u
        elif kind == SHIFT_END:
            u = ident
            if u_state[u] == FREE:
                u_state[u] = OFF_DUTY
                u_epoch[u] += 1
            elif u_state[u] == BUSY:
                u_ending[u] = True
        elif kind == ON_SCENE:
            u = ident
            if epoch != u_epoch[u]:
                continue
            i = u_job[u]
            u_atom[u] = inc_atom[i]
            if np.isnan(first_on_scene[i]):
                first_on_scene[i] = t
            size = _push(ht, hk, hi, he, hs, size, seq, t + inc_service[i], JOB_DONE, u, u_epoch[u])
            seq += 1
        elif kind == JOB_DONE:
            u = ident
            if epoch != u_epoch[u]:
                continue
            i = u_job[u]
            working[i] -= 1
            if working[i] == 0 and assigned[i] >= inc_units[i]:
                cleared[i] = t
            u_busy[u] += t - u_since[u]
            _add_busy(busy_how, u_since[u], t)
            u_job[u] = NONE
            u_job_prio[u] = 0
            u_epoch[u] += 1
            if u_ending[u]:
                u_state[u] = OFF_DUTY
                u_ending[u] = False
            else:
                u_state[u] = FREE
                free_unit = u
                if return_to_base and u_atom[u] != unit_home[u]:
                    back = t + travel[2, u_atom[u], unit_home[u]]
                    size = _push(ht, hk, hi, he, hs, size, seq, back, AT_BASE, u, u_epoch[u])
                    seq += 1
        elif kind == AT_BASE:
            u = ident
            if epoch == u_epoch[u] and u_state[u] == FREE:
                u_atom[u] = unit_home[u]
            continue

        if free_unit != NONE:
            u = free_unit
            i = NONE
            if head[3] != NONE:
                i = head[3]
            elif head[4] != NONE:
                i = head[4]
            elif head[5 + unit_home[u]] != NONE:
                i = head[5 + unit_home[u]]
            if i != NONE:
                p = inc_prio[i]
                u_since[u] = t
                u_state[u] = BUSY
                u_job[u] = i
                u_job_prio[u] = p
                u_epoch[u] += 1
                assigned[i] += 1
                working[i] += 1
                if np.isnan(dispatched[i]):
                    dispatched[i] = t
                if assigned[i] >= inc_units[i]:
                    q = 3 if p == 1 else (4 if p == 2 else 5 + inc_atom[i])
                    _pop_front(head, tail, nxt, q)
                size = _push(
                    ht,
                    hk,
                    hi,
                    he,
                    hs,
                    size,
                    seq,
                    t + travel[p - 1, u_atom[u], inc_atom[i]],
                    ON_SCENE,
                    u,
                    u_epoch[u],
                )
                seq += 1
    # units still busy at the horizon: count their time up to it
    for u in range(m):
        if u_state[u] == BUSY:
            u_busy[u] += horizon - u_since[u]
            _add_busy(busy_how, u_since[u], horizon)
    return (intake_start, ready, dispatched, first_on_scene, cleared, u_busy, busy_how, diversions)
