"""The event loop of the digital twin, compiled with numba.

Everything is a flat numpy array: incidents (pre-drawn, sorted by arrival), unit shifts
(pre-expanded over the horizon), the travel matrices. Times are minutes from the start.
The dispatch choice is ``korps.dispatch.policy.pick_units``, the fast path of the policy
the live control room uses (``rank_units``; equal by property test).

Events: arrivals and shift changes come as sorted streams; intake done and job done go
through a heap. A unit's arrival on scene is known when it is sent, and a returning unit is
at its base from a known time on, so neither needs an event.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from numba import njit

from korps.dispatch import policy
from korps.dispatch.policy import BUSY, FREE, OFF_DUTY, pick_units


def _drop_stale_cache() -> None:
    """numba's cache of this module only notices changes to this file; the kernel compiles
    the policy in, so when ``korps/dispatch/policy.py`` changed, drop the cached kernel."""
    cache = Path(__file__).parent / "__pycache__"
    stamp = cache / "kernel.policy.sha256"
    digest = hashlib.sha256(Path(policy.__file__).read_bytes()).hexdigest()
    try:
        if stamp.exists() and stamp.read_text() == digest:
            return
        for stale in cache.glob("kernel.*.nb[ic]"):
            stale.unlink()
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest)
    except OSError:  # a read-only install: it was compiled with its own policy
        return


_drop_stale_cache()

SHIFT_END = 0  # before a start at the same minute: back-to-back shifts
SHIFT_START = 1
OPERATORS = 2
ARRIVAL = 3
INTAKE_DONE = 4
JOB_DONE = 6

NONE = -1


KIND_SHIFT = 56  # heap order key: kind << 56 | sequence number (sequence starts at 1)
IDENT_BITS = 22  # heap payload: epoch << 22 | ident (incident or unit index < 2**22)
IDENT_MASK = (1 << IDENT_BITS) - 1


@njit(cache=True, inline="always")
def _before(t1: float, o1: int, t2: float, o2: int) -> bool:
    """Event order: time, then kind, then the order it was scheduled in."""
    return t1 < t2 or (t1 == t2 and o1 < o2)


@njit(cache=True, inline="always")
def _push(ht, ho, hp, size, seq, t, kind, ident, epoch):
    """Schedule an event; a binary heap of (time, order key, payload)."""
    i = size
    order = (kind << KIND_SHIFT) | seq
    payload = (epoch << IDENT_BITS) | ident
    while i > 0:
        parent = (i - 1) // 2
        if _before(t, order, ht[parent], ho[parent]):
            ht[i], ho[i], hp[i] = ht[parent], ho[parent], hp[parent]
            i = parent
        else:
            break
    ht[i], ho[i], hp[i] = t, order, payload
    return size + 1


@njit(cache=True, inline="always")
def _pop(ht, ho, hp, size):
    """Remove the first event (read it from index 0 before)."""
    last = size - 1
    t, order, payload = ht[last], ho[last], hp[last]
    size = last
    i = 0
    while True:
        child = 2 * i + 1
        if child >= size:
            break
        if child + 1 < size and _before(ht[child + 1], ho[child + 1], ht[child], ho[child]):
            child += 1
        if _before(ht[child], ho[child], t, order):
            ht[i], ho[i], hp[i] = ht[child], ho[child], hp[child]
            i = child
        else:
            break
    if size > 0:
        ht[i], ho[i], hp[i] = t, order, payload
    return size


@njit(cache=True, inline="always")
def _append(head, tail, nxt, q, i):
    nxt[i] = NONE
    if head[q] == NONE:
        head[q] = i
    else:
        nxt[tail[q]] = i
    tail[q] = i


@njit(cache=True, inline="always")
def _push_front(head, tail, nxt, q, i):
    nxt[i] = head[q]
    head[q] = i
    if tail[q] == NONE:
        tail[q] = i


@njit(cache=True, inline="always")
def _pop_front(head, tail, nxt, q):
    i = head[q]
    head[q] = nxt[i]
    if head[q] == NONE:
        tail[q] = NONE
    return i


@njit(cache=True, inline="always")
def _remove(items, at, count, u):
    """Remove unit ``u`` from a list kept as (items, position of each unit, count)."""
    last = items[count - 1]
    items[at[u]] = last
    at[last] = at[u]
    at[u] = NONE
    return count - 1


@njit(cache=True, inline="always")
def _add(items, at, count, u):
    items[count] = u
    at[u] = count
    return count + 1


@njit(cache=True, inline="always")
def _add_busy(busy_how, start, end):
    """Spread a busy interval over the 168 hours of the week."""
    t = start
    while t < end:
        hour = int(t // 60.0)
        stop = min(end, (hour + 1) * 60.0)
        busy_how[hour % 168] += stop - t
        t = stop


@njit(cache=True, inline="always")
def _assign(u, i, t, heap, size, seq, state, log, logs):
    """Send unit ``u`` to incident ``i`` at ``t``: its state, the incident's counts, the log
    row, its arrival (known now: no event needed) and its JOB_DONE event. Returns the new heap
    size, sequence and log count."""
    ht, ho, hp = heap
    inc_atom, inc_prio, u_state, u_atom, u_job, u_job_prio, u_epoch, u_since, u_log = state[:9]
    assigned, working, dispatched, travel = state[9:13]
    u_arrive, u_prev_first, first_on_scene, inc_service, horizon, u_home_at = state[13:]
    log_inc, log_unit, log_times = log
    p = inc_prio[i]
    if u_state[u] != BUSY:
        u_since[u] = t
    u_state[u] = BUSY
    u_job[u] = i
    u_job_prio[u] = p
    u_epoch[u] += 1
    assigned[i] += 1
    working[i] += 1
    if np.isnan(dispatched[i]):
        dispatched[i] = t
    drive = travel[p - 1, u_atom[u], inc_atom[i]]
    log_inc[logs] = i
    log_unit[logs] = u
    log_times[logs, 0] = t
    log_times[logs, 3] = drive
    u_log[u] = logs
    arrive = t + drive
    u_arrive[u] = arrive
    u_home_at[u] = np.inf
    u_prev_first[u] = first_on_scene[i]
    if arrive <= horizon:  # on scene within the horizon
        log_times[logs, 1] = arrive
        if np.isnan(first_on_scene[i]) or arrive < first_on_scene[i]:
            first_on_scene[i] = arrive
    size = _push(ht, ho, hp, size, seq, arrive + inc_service[i], JOB_DONE, u, u_epoch[u])
    return size, seq + 1, logs + 1


@njit(cache=True, inline="always")
def _start_intakes(t, capacity, ops_busy, queues, heap, size, seq, intake_start, inc_intake):
    """Operators free below ``capacity`` take the waiting calls, highest priority first."""
    head, tail, nxt = queues
    ht, ho, hp = heap
    while ops_busy < capacity:
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
        size = _push(ht, ho, hp, size, seq, t + inc_intake[i], INTAKE_DONE, i, 0)
        seq += 1
    return ops_busy, size, seq


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
    shift_time,
    shift_kind,
    shift_unit,
    atom_district,
    travel,
    horizon,
    divert,
    return_to_base,
):
    """Run one replication; returns per-incident times, per-unit busy minutes and the log
    of assignments (incident, unit, [dispatched, on scene, free again, travel minutes]).

    ``operators_by_hour[h]`` is the number of intake operators in hour ``h`` of the horizon;
    a negative value means intake is not modelled (dispatch starts at arrival). The shift
    events (``shift_time``, ``shift_kind``: SHIFT_END or SHIFT_START, ``shift_unit``) come
    sorted by time, kind and window, and are read as a stream beside the event heap.
    """
    n = inc_time.shape[0]
    m = unit_home.shape[0]
    n_atoms = atom_district.shape[0]
    n_shift_events = shift_time.shape[0]
    hours = operators_by_hour.shape[0]
    cap = 6 * n + 4 * m + hours + 16
    heap = (np.empty(cap, np.float64), np.empty(cap, np.int64), np.empty(cap, np.int64))
    ht, ho, hp = heap
    size = 0
    seq = 1  # 0 is left to the stream events (arrivals, shifts): they go first on ties
    intake = operators_by_hour[0] >= 0
    if intake:
        for h in range(1, hours):
            if operators_by_hour[h] != operators_by_hour[h - 1]:
                size = _push(ht, ho, hp, size, seq, h * 60.0, OPERATORS, h, 0)
                seq += 1

    u_state = np.full(m, OFF_DUTY, np.int64)
    u_atom = unit_home.copy()
    u_job = np.full(m, NONE, np.int64)
    u_job_prio = np.zeros(m, np.int64)
    u_epoch = np.zeros(m, np.int64)
    u_ending = np.zeros(m, np.bool_)
    u_since = np.zeros(m, np.float64)
    u_busy = np.zeros(m, np.float64)
    u_log = np.full(m, NONE, np.int64)
    busy_how = np.zeros(168, np.float64)

    intake_start = np.full(n, np.nan)
    ready = np.full(n, np.nan)
    dispatched = np.full(n, np.nan)
    first_on_scene = np.full(n, np.nan)
    cleared = np.full(n, np.nan)
    assigned = np.zeros(n, np.int64)
    working = np.zeros(n, np.int64)
    diversions = 0
    u_arrive = np.full(m, np.inf)
    u_home_at = np.full(m, np.inf)  # when a returning unit is back at its base
    u_prev_first = np.full(m, np.nan)
    state = (
        inc_atom,
        inc_prio,
        u_state,
        u_atom,
        u_job,
        u_job_prio,
        u_epoch,
        u_since,
        u_log,
        assigned,
        working,
        dispatched,
        travel,
        u_arrive,
        u_prev_first,
        first_on_scene,
        inc_service,
        horizon,
        u_home_at,
    )
    # an assignment per unit sent, plus at most one more per prio-1 incident for diversions
    log_cap = 3 * n + 16
    log = (
        np.full(log_cap, NONE, np.int64),
        np.full(log_cap, NONE, np.int64),
        np.full((log_cap, 4), np.nan),
    )
    log_times = log[2]
    logs = 0

    # queues: 0..2 = intake by priority, 3, 4 = prio 1, 2 dispatch, 5 + atom = prio 3
    head = np.full(5 + n_atoms, NONE, np.int64)
    tail = np.full(5 + n_atoms, NONE, np.int64)
    nxt = np.full(n, NONE, np.int64)
    queues = (head, tail, nxt)
    ops_busy = 0

    next_arrival = 0
    next_shift = 0
    picked = np.empty(8, np.int64)
    scratch = np.empty(8, np.float64)
    duty = np.empty(m, np.int64)  # the units on duty (any order), for the dispatch scan
    duty_at = np.full(m, NONE, np.int64)
    n_duty = 0
    by_home = np.argsort(unit_home, kind="mergesort").astype(np.int64)  # units by basisteam
    home_start = np.zeros(n_atoms + 1, np.int64)
    for u in range(m):
        home_start[unit_home[u] + 1] += 1
    for a in range(n_atoms):
        home_start[a + 1] += home_start[a]
    free = np.empty(m, np.int64)  # the free units (any order): what the dispatch scans first
    free_at = np.full(m, NONE, np.int64)
    n_free = 0
    while True:
        # the next event: from the arrivals, the shift stream or the heap (time, kind, seq)
        source = NONE
        t = 0.0
        kind = ARRIVAL
        if next_arrival < n:
            source = 0
            t = inc_time[next_arrival]
        if next_shift < n_shift_events and (
            source == NONE
            or _before(
                shift_time[next_shift], shift_kind[next_shift] << KIND_SHIFT, t, kind << KIND_SHIFT
            )
        ):
            source = 1
            t = shift_time[next_shift]
            kind = shift_kind[next_shift]
        if size > 0 and (source == NONE or _before(ht[0], ho[0], t, kind << KIND_SHIFT)):
            source = 2
        if source == NONE:
            break
        epoch = 0
        if source == 0:
            ident = next_arrival
            next_arrival += 1
        elif source == 1:
            ident = shift_unit[next_shift]
            next_shift += 1
        else:
            t = ht[0]
            kind = ho[0] >> KIND_SHIFT
            ident = hp[0] & IDENT_MASK
            epoch = hp[0] >> IDENT_BITS
            size = _pop(ht, ho, hp, size)
        take_arrival = source == 0
        if t > horizon:
            break

        free_unit = NONE
        if kind == ARRIVAL:
            if not intake:
                ready[ident] = t
                intake_start[ident] = t
                kind = INTAKE_DONE  # dispatch straight away (below)
            else:
                capacity = operators_by_hour[min(int(t // 60.0), hours - 1)]
                if ops_busy < capacity and head[0] == NONE and head[1] == NONE and head[2] == NONE:
                    ops_busy += 1  # an operator is free and nobody waits: take the call now
                    intake_start[ident] = t
                    size = _push(
                        ht, ho, hp, size, seq, t + inc_intake[ident], INTAKE_DONE, ident, 0
                    )
                    seq += 1
                else:
                    _append(head, tail, nxt, inc_prio[ident] - 1, ident)
                    ops_busy, size, seq = _start_intakes(
                        t, capacity, ops_busy, queues, heap, size, seq, intake_start, inc_intake
                    )
                continue
        elif kind == OPERATORS:
            capacity = operators_by_hour[min(ident, hours - 1)]
            ops_busy, size, seq = _start_intakes(
                t, capacity, ops_busy, queues, heap, size, seq, intake_start, inc_intake
            )
            continue

        if kind == INTAKE_DONE:
            i = ident
            if intake and not take_arrival:
                ready[i] = t
                ops_busy -= 1
                capacity = operators_by_hour[min(int(t // 60.0), hours - 1)]
                ops_busy, size, seq = _start_intakes(
                    t, capacity, ops_busy, queues, heap, size, seq, intake_start, inc_intake
                )
            p = inc_prio[i]
            if p == 1 and divert and n_free == 0:  # units to divert: where are they now?
                for kk in range(n_duty):
                    uu = duty[kk]
                    if u_state[uu] == BUSY and u_arrive[uu] < t:
                        u_atom[uu] = inc_atom[u_job[uu]]
            if p == 3:  # only its own basisteam's units can go: look at just those
                a = inc_atom[i]
                first = home_start[a]
                candidates = by_home[first : home_start[a + 1]]
                n_candidates = home_start[a + 1] - first
            else:
                candidates = free
                n_candidates = n_free
            for kk in range(n_candidates):  # units back at their base by now
                uu = candidates[kk]
                if u_home_at[uu] < t:
                    u_atom[uu] = unit_home[uu]
                    u_home_at[uu] = np.inf
            found = pick_units(
                inc_units[i] - assigned[i],
                picked,
                scratch,
                candidates,
                n_candidates,
                duty,
                n_duty,
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
            for k in range(found):
                u = picked[k]
                if u_state[u] == FREE:
                    n_free = _remove(free, free_at, n_free, u)
                if u_state[u] == BUSY:  # diverted from a prio-3 job: that job waits again
                    j = u_job[u]
                    assigned[j] -= 1
                    working[j] -= 1
                    log_times[u_log[u], 2] = t
                    if u_arrive[u] < t:  # it was on scene there: it leaves from there
                        u_atom[u] = inc_atom[j]
                    else:  # still on its way: it never got there
                        log_times[u_log[u], 1] = np.nan
                        first_on_scene[j] = u_prev_first[u]
                    _push_front(head, tail, nxt, 5 + inc_atom[j], j)
                    diversions += 1
                size, seq, logs = _assign(u, i, t, heap, size, seq, state, log, logs)
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
                n_duty = _add(duty, duty_at, n_duty, u)
        elif kind == SHIFT_END:
            u = ident
            if u_state[u] == FREE:
                u_state[u] = OFF_DUTY
                u_epoch[u] += 1
                u_home_at[u] = np.inf
                n_duty = _remove(duty, duty_at, n_duty, u)
                n_free = _remove(free, free_at, n_free, u)
            elif u_state[u] == BUSY:
                u_ending[u] = True
                u_job_prio[u] = 0  # a unit past its shift finishes its job: no diversion
        elif kind == JOB_DONE:
            u = ident
            if epoch != u_epoch[u]:
                continue
            i = u_job[u]
            u_atom[u] = inc_atom[i]
            working[i] -= 1
            if working[i] == 0 and assigned[i] >= inc_units[i]:
                cleared[i] = t
            u_busy[u] += t - u_since[u]
            _add_busy(busy_how, u_since[u], t)
            log_times[u_log[u], 2] = t
            u_log[u] = NONE
            u_job[u] = NONE
            u_job_prio[u] = 0
            u_epoch[u] += 1
            if u_ending[u]:
                u_state[u] = OFF_DUTY
                u_ending[u] = False
                n_duty = _remove(duty, duty_at, n_duty, u)
            else:
                u_state[u] = FREE
                free_unit = u
                if return_to_base and u_atom[u] != unit_home[u]:
                    # driving back, available on the way; home from then on (no event: the
                    # dispatch looks at the time before it uses the unit's place)
                    u_home_at[u] = t + travel[2, u_atom[u], unit_home[u]]

        if free_unit != NONE:
            # the queues only hold incidents no free unit could take (see the policy), so the
            # freed unit takes the oldest prio-1, else prio-2, else prio-3 of its own area
            u = free_unit
            q = NONE
            if head[3] != NONE:
                q = 3
            elif head[4] != NONE:
                q = 4
            elif head[5 + unit_home[u]] != NONE:
                q = 5 + unit_home[u]
            if q != NONE:
                i = head[q]
                size, seq, logs = _assign(u, i, t, heap, size, seq, state, log, logs)
                if assigned[i] >= inc_units[i]:
                    _pop_front(head, tail, nxt, q)
            else:
                n_free = _add(free, free_at, n_free, u)
    # units still busy at the horizon: count their time up to it
    for u in range(m):
        if u_state[u] == BUSY:
            u_busy[u] += horizon - u_since[u]
            _add_busy(busy_how, u_since[u], horizon)
    return (
        intake_start,
        ready,
        dispatched,
        first_on_scene,
        cleared,
        u_busy,
        busy_how,
        diversions,
        log[0][:logs],
        log[1][:logs],
        log_times[:logs],
    )
