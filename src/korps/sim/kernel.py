"""The event loop of the digital twin, compiled with numba.

Everything is a flat numpy array: incidents (pre-drawn, sorted by arrival), unit shifts
(pre-expanded over the horizon), the travel matrices. Times are minutes from the start.
The dispatch choice is ``korps.dispatch.policy.pick_units``, the fast path of the policy
the live control room uses (``rank_units``; equal by property test). It reads the free
units from linked lists by where each is and by basisteam, which the loop keeps as units
come free and are taken, so a dispatch looks at the nearest places only, not at every unit.

Events: arrivals and shift changes come as sorted streams; intake done and job done go
through a heap. A unit's arrival on scene is known when it is sent, and a returning unit is
at its base from a known time on, so neither needs an event.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any

import numpy as np
from numba import njit
from numba.core.caching import FunctionCache

from korps.dispatch import policy
from korps.dispatch.policy import (
    BUSY,
    FREE,
    OFF_DUTY,
    link,
    pick_units,
    places_by_travel,
    unlink,
)

POLICY_DIGEST = hashlib.sha256(Path(policy.__file__).read_bytes()).hexdigest()


class PolicyKeyedCache(FunctionCache):
    """numba's cache of a kernel function, with the policy's source hash in every entry's key.

    numba keys a cached function on its own bytecode and checks its own file's time stamp;
    the kernel compiles the policy in (``pick_units`` inline, ``WIDER`` as a constant), so a
    changed ``korps/dispatch/policy.py`` would otherwise load a stale kernel. The key is
    checked wherever numba keeps the cache (``__pycache__``, ``NUMBA_CACHE_DIR`` or the
    user-wide cache directory): a kernel compiled with another policy is never loaded, and
    kernels of different policies can sit side by side."""

    def __init__(self, py_func: Any, digest: str) -> None:
        self.policy_digest = digest
        super().__init__(py_func)

    def _index_key(self, sig: Any, codegen: Any) -> Any:
        return (*super()._index_key(sig, codegen), ("policy", self.policy_digest))


def key_cache_on_policy(dispatcher: Any, digest: str | None = None) -> Any:
    """Give a ``cache=True`` dispatcher the policy-keyed cache (``PolicyKeyedCache``)."""
    dispatcher._cache = PolicyKeyedCache(dispatcher.py_func, digest or POLICY_DIGEST)
    return dispatcher


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
def _set_free(u, lists, counts, u_atom, unit_home, u_home_at):
    """Put a unit that comes free into the free lists ``pick_units`` reads (by where it is
    and by its basisteam), and among the returning ones if it drives back to base.
    ``lists`` = (free lists, their back links, the returning units as (items, position));
    ``counts`` = (free units, returning units, earliest time one of these is home)."""
    free, prevs, returning = lists
    place_head, place_next, home_head, home_next = free
    place_prev, home_prev = prevs
    n_free, n_returning, next_home = counts
    link(place_head, place_next, place_prev, u_atom[u], u)
    link(home_head, home_next, home_prev, unit_home[u], u)
    if u_home_at[u] < np.inf:
        n_returning = _add(returning[0], returning[1], n_returning, u)
        next_home = min(next_home, u_home_at[u])
    return n_free + 1, n_returning, next_home


@njit(cache=True, inline="always")
def _set_taken(u, lists, counts, u_atom, unit_home):
    """Take a free unit out of the free lists (sent, or off duty); see ``_set_free``."""
    free, prevs, returning = lists
    place_head, place_next, home_head, home_next = free
    place_prev, home_prev = prevs
    n_free, n_returning, next_home = counts
    unlink(place_head, place_next, place_prev, u_atom[u], u)
    unlink(home_head, home_next, home_prev, unit_home[u], u)
    if returning[1][u] != NONE:  # next_home may now be early: _back_home then finds none
        n_returning = _remove(returning[0], returning[1], n_returning, u)
    return n_free - 1, n_returning, next_home


@njit(cache=True, inline="always")
def _back_home(t, lists, n_returning, u_atom, unit_home, u_home_at):
    """Free units driving back to base that are there before ``t``: at their base from now
    on (in the free lists too; ``lists`` as for ``_set_free``). Returns the new count of
    returning units and the earliest time one of them is home."""
    free, prevs, returning = lists
    items, at = returning
    place_head, place_next = free[0], free[1]
    place_prev = prevs[0]
    earliest = np.inf
    k = 0
    while k < n_returning:
        u = items[k]
        if u_home_at[u] < t:
            unlink(place_head, place_next, place_prev, u_atom[u], u)
            u_atom[u] = unit_home[u]
            link(place_head, place_next, place_prev, u_atom[u], u)
            u_home_at[u] = np.inf
            n_returning = _remove(items, at, n_returning, u)  # the last one moves to k
        else:
            earliest = min(earliest, u_home_at[u])
            k += 1
    return n_returning, earliest


@njit(cache=True, inline="always")
def _hour(t):
    """The hour ``t`` lies in, ``int(t // 60.0)`` to the bit: numba's float floor division
    calls C's ``fmod``, which took a fifth of the run time. The rounded quotient is at most
    one off near a whole hour; the exact products (whole numbers times 60) correct it."""
    hour = math.floor(t / 60.0)
    if hour * 60.0 > t:
        hour -= 1
    elif (hour + 1) * 60.0 <= t:
        hour += 1
    return hour


@njit(cache=True, inline="always")
def _add_busy(busy_how, start, end):
    """Spread a busy interval over the 168 hours of the week."""
    t = start
    while t < end:
        hour = _hour(t)
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
    assigned, working, dispatched, drive_minutes = state[9:13]
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
    drive = drive_minutes[p - 1, u_atom[u], inc_atom[i]]
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


@njit(cache=True, _nrt=False)  # type: ignore[call-overload]  # private flag: not in the stubs
def _run(incidents, shifts, region, settings, units, outcomes, log, work):
    """The event loop of ``simulate``, on the arrays it made; returns the diversions and
    the number of log rows.

    Compiled without numba's reference counting (``_nrt=False``, as numba's developers
    suggest for refcount operations it cannot prune, numba issue #2350): the loop only
    reads and writes arrays ``simulate`` owns and allocates nothing, and the counting
    (atomic, on every array handed to a helper or unpacked from a tuple) took half the
    run time."""
    inc_time, inc_atom, inc_prio, inc_units, inc_intake, inc_service = incidents
    operators_by_hour, unit_home, atom_district, travel, places, drive = region
    horizon, divert, return_to_base = settings
    shift_time, shift_kind, shift_unit = shifts
    u_state, u_atom, u_job, u_job_prio, u_epoch, u_ending, u_since, u_busy = units[:8]
    u_log, u_arrive, u_home_at, u_prev_first = units[8:]
    intake_start, ready, dispatched, first_on_scene, cleared = outcomes[:5]
    assigned, working, busy_how = outcomes[5:]
    heap, queues, (picked, scratch), (duty, duty_at), free, prevs, returning = work
    lists = (free, prevs, returning)
    ht, ho, hp = heap
    head, tail, nxt = queues
    log_times = log[2]
    n = inc_time.shape[0]
    n_shift_events = shift_time.shape[0]
    hours = operators_by_hour.shape[0]
    size = 0
    seq = 1  # 0 is left to the stream events (arrivals, shifts): they go first on ties
    intake = operators_by_hour[0] >= 0
    if intake:
        for h in range(1, hours):
            if operators_by_hour[h] != operators_by_hour[h - 1]:
                size = _push(ht, ho, hp, size, seq, h * 60.0, OPERATORS, h, 0)
                seq += 1
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
        drive,
        u_arrive,
        u_prev_first,
        first_on_scene,
        inc_service,
        horizon,
        u_home_at,
    )
    logs = 0
    diversions = 0
    ops_busy = 0
    next_arrival = 0
    next_shift = 0
    n_duty = 0
    n_free = 0
    n_returning = 0
    next_home = np.inf
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
                capacity = operators_by_hour[min(_hour(t), hours - 1)]
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
                capacity = operators_by_hour[min(_hour(t), hours - 1)]
                ops_busy, size, seq = _start_intakes(
                    t, capacity, ops_busy, queues, heap, size, seq, intake_start, inc_intake
                )
            p = inc_prio[i]
            if p == 1 and divert and n_free == 0:  # units to divert: where are they now?
                for kk in range(n_duty):
                    uu = duty[kk]
                    if u_state[uu] == BUSY and u_arrive[uu] < t:
                        u_atom[uu] = inc_atom[u_job[uu]]
            if t > next_home:  # some units are back at their base by now
                n_returning, next_home = _back_home(
                    t, lists, n_returning, u_atom, unit_home, u_home_at
                )
            found = pick_units(
                inc_units[i] - assigned[i],
                picked,
                scratch,
                p,
                inc_atom[i],
                atom_district[inc_atom[i]],
                free,
                places,
                duty,
                n_duty,
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
                    counts = (n_free, n_returning, next_home)
                    n_free, n_returning, next_home = _set_taken(u, lists, counts, u_atom, unit_home)
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
                counts = (n_free, n_returning, next_home)
                n_free, n_returning, next_home = _set_taken(u, lists, counts, u_atom, unit_home)
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
                    u_home_at[u] = t + drive[3, u_atom[u], unit_home[u]]

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
                counts = (n_free, n_returning, next_home)
                n_free, n_returning, next_home = _set_free(
                    u, lists, counts, u_atom, unit_home, u_home_at
                )
    return diversions, logs


@njit(cache=True)
def draw_episodes(starts, ends, owners, available_mean, away_mean, seed):
    """Unavailable periods inside the shift windows ``[starts, ends)`` of ``owners``: per
    window, alternating exponential available (mean ``available_mean``, first) and
    unavailable (mean ``away_mean``) periods. Returns (begin, end, unit) of every period; an
    end at or past its window's end is ``inf`` (the unit stays away until the shift ends).
    Its own random stream (``seed``): the same seed, the same periods."""
    np.random.seed(seed)
    count = 0
    cap = 16
    begin = np.empty(cap, np.float64)
    end = np.empty(cap, np.float64)
    unit = np.empty(cap, np.int64)
    for w in range(starts.shape[0]):
        t = starts[w] + np.random.exponential(available_mean)
        while t < ends[w]:
            back = t + np.random.exponential(away_mean)
            if count == cap:
                cap *= 2
                begin2 = np.empty(cap, np.float64)
                end2 = np.empty(cap, np.float64)
                unit2 = np.empty(cap, np.int64)
                begin2[:count] = begin[:count]
                end2[:count] = end[:count]
                unit2[:count] = unit[:count]
                begin, end, unit = begin2, end2, unit2
            begin[count] = t
            end[count] = back if back < ends[w] else np.inf
            unit[count] = owners[w]
            count += 1
            t = back + np.random.exponential(available_mean)
    return begin[:count], end[:count], unit[:count]


@njit(cache=True)
def merge_duty_events(shift_time, shift_kind, shift_unit, away_start, away_end, away_unit):
    """The stream of duty events: the sorted shift events with the unavailable periods
    merged in (an end of duty where a period begins, a start where it ends; an infinite
    end has no event), by time; a shift event first on a tie. The periods are sorted by
    bucketing them per hour, then by time within the hour, in linear time."""
    n_away = away_start.shape[0]
    n_back = 0
    for k in range(n_away):
        if away_end[k] < np.inf:
            n_back += 1
    m = n_away + n_back
    times = np.empty(m, np.float64)
    kinds = np.empty(m, np.int64)
    units = np.empty(m, np.int64)
    j = 0
    for k in range(n_away):
        times[j], kinds[j], units[j] = away_start[k], SHIFT_END, away_unit[k]
        j += 1
        if away_end[k] < np.inf:
            times[j], kinds[j], units[j] = away_end[k], SHIFT_START, away_unit[k]
            j += 1
    buckets = 1
    for k in range(m):
        buckets = max(buckets, _hour(times[k]) + 2)
    first = np.zeros(buckets + 1, np.int64)
    for k in range(m):
        first[_hour(times[k]) + 1] += 1
    for b in range(buckets):
        first[b + 1] += first[b]
    fill = first[:-1].copy()
    order = np.empty(m, np.int64)
    for k in range(m):
        b = _hour(times[k])
        order[fill[b]] = k
        fill[b] += 1
    for b in range(buckets):
        lo, hi = first[b], first[b + 1]
        if hi - lo > 1:
            part = order[lo:hi]
            order[lo:hi] = part[np.argsort(times[part], kind="mergesort")]
    n = shift_time.shape[0]
    out_time = np.empty(n + m, np.float64)
    out_kind = np.empty(n + m, np.int64)
    out_unit = np.empty(n + m, np.int64)
    i = 0
    a = 0
    for o in range(n + m):
        if a >= m or (i < n and shift_time[i] <= times[order[a]]):
            out_time[o], out_kind[o], out_unit[o] = shift_time[i], shift_kind[i], shift_unit[i]
            i += 1
        else:
            k = order[a]
            out_time[o], out_kind[o], out_unit[o] = times[k], kinds[k], units[k]
            a += 1
    return out_time, out_kind, out_unit


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
    drive,
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
    ``travel`` (3, A, A) is what the dispatch ranks units by (the control room's estimate);
    ``drive`` (4, A, A) the minutes a unit takes from dispatch to on scene per priority,
    and ``drive[3]`` back to its base.
    """
    n = inc_time.shape[0]
    m = unit_home.shape[0]
    n_atoms = atom_district.shape[0]
    hours = operators_by_hour.shape[0]
    cap = 6 * n + 4 * m + hours + 16
    heap = (np.empty(cap, np.float64), np.empty(cap, np.int64), np.empty(cap, np.int64))
    u_state = np.full(m, OFF_DUTY, np.int64)
    u_since = np.zeros(m, np.float64)
    u_busy = np.zeros(m, np.float64)
    units = (
        u_state,
        unit_home.copy(),  # where each unit is
        np.full(m, NONE, np.int64),  # its job
        np.zeros(m, np.int64),  # the priority of its job
        np.zeros(m, np.int64),  # epoch: a JOB_DONE event of an older epoch is void
        np.zeros(m, np.bool_),  # past its shift, finishing its job
        u_since,  # busy since
        u_busy,
        np.full(m, NONE, np.int64),  # the log row of its job
        np.full(m, np.inf),  # on scene at
        np.full(m, np.inf),  # when a returning unit is back at its base
        np.full(m, np.nan),  # its incident's first on scene before it was sent
    )
    busy_how = np.zeros(168, np.float64)
    outcomes = (
        np.full(n, np.nan),  # intake start
        np.full(n, np.nan),  # ready for dispatch
        np.full(n, np.nan),  # dispatched
        np.full(n, np.nan),  # first on scene
        np.full(n, np.nan),  # cleared
        np.zeros(n, np.int64),  # units assigned
        np.zeros(n, np.int64),  # units working on it
        busy_how,
    )
    # a row per unit an incident needs; with diversion, a diverted prio-3 job is assigned
    # once more, and every diversion is a unit that a prio-1 incident takes
    log_cap = 16
    for k in range(n):
        log_cap += inc_units[k] * (2 if divert and inc_prio[k] == 1 else 1)
    log = (
        np.full(log_cap, NONE, np.int64),
        np.full(log_cap, NONE, np.int64),
        np.full((log_cap, 4), np.nan),
    )
    # queues: 0..2 = intake by priority, 3, 4 = prio 1, 2 dispatch, 5 + atom = prio 3
    queues = (
        np.full(5 + n_atoms, NONE, np.int64),
        np.full(5 + n_atoms, NONE, np.int64),
        np.full(n, NONE, np.int64),
    )
    work = (
        heap,
        queues,
        (np.empty(8, np.int64), np.empty(8, np.float64)),  # the units picked, their keys
        (np.empty(m, np.int64), np.full(m, NONE, np.int64)),  # the units on duty (any order)
        # the free units, in linked lists by where they are and by basisteam (pick_units)
        (
            np.full(n_atoms, NONE, np.int64),
            np.full(m, NONE, np.int64),
            np.full(n_atoms, NONE, np.int64),
            np.full(m, NONE, np.int64),
        ),
        (np.full(m, NONE, np.int64), np.full(m, NONE, np.int64)),  # their back links
        # the free units driving back to base (a finite home time), as (items, position)
        (np.empty(m, np.int64), np.full(m, NONE, np.int64)),
    )
    diversions, logs = _run(
        (inc_time, inc_atom, inc_prio, inc_units, inc_intake, inc_service),
        (shift_time, shift_kind, shift_unit),
        (operators_by_hour, unit_home, atom_district, travel, places_by_travel(travel), drive),
        (horizon, divert, return_to_base),
        units,
        outcomes,
        log,
        work,
    )
    # units still busy at the horizon: count their time up to it
    for u in range(m):
        if u_state[u] == BUSY:
            u_busy[u] += horizon - u_since[u]
            _add_busy(busy_how, u_since[u], horizon)
    log_inc, log_unit, log_times = log
    return (
        outcomes[0],
        outcomes[1],
        outcomes[2],
        outcomes[3],
        outcomes[4],
        u_busy,
        busy_how,
        diversions,
        log_inc[:logs],
        log_unit[:logs],
        log_times[:logs],
    )


# every compiled function of this module that a caller reaches (the helpers are inlined)
for _dispatcher in (_run, simulate, draw_episodes, merge_duty_events):
    key_cache_on_policy(_dispatcher)
