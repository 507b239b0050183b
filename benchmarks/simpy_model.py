"""The model of ``korps.sim.kernel`` written again in SimPy, for ``benchmarks/sim_vs_simpy.py``.

Same inputs as the kernel: the incidents of ``korps.sim.engine.draw`` and, from the
``Model``, the shift windows, operators per hour, travel matrices and unit homes. Same
rules, step by step:

- control room: calls wait in three FIFO queues by priority; while fewer operators are
  busy than the hour's count (``operators_by_hour``), the oldest call of the highest
  priority is taken; a lower count lets busy operators finish their call;
- dispatch: the candidate order of ``korps.dispatch.policy.rank_units`` (``policy="korps"``,
  the compiled function itself, called from Python) or of ``rank_units_python``, a
  line-by-line pure-Python port (``policy="python"``); a two-unit prio-1 incident takes
  the first two candidates, and one not fully served waits in the prio-1 queue, a prio-2
  in the prio-2 queue, a prio-3 in the queue of its basisteam; with ``divert`` a unit on a
  prio-3 job may be taken (not one past its shift's end), and that job waits again at the
  front of its queue;
- units: a unit goes on duty at its shift's start at its base, goes off duty at its end
  when free, and a busy unit finishes its job first; the same for the unavailable periods
  inside a shift (own work, ``availability``), which end at the unit's base; a freed unit
  takes the oldest prio-1, else prio-2, else own-basisteam prio-3 incident waiting; with
  ``return_to_base`` it drives back (the return plane of the travel matrices: prio-3 speed,
  no turnout) and is dispatchable from where it is on the way.

SimPy processes: one for the arrivals, one for the roster (all shift starts and ends,
ends before starts at the same minute, like the kernel), one for changes in the operator
count, one per intake and one per unit assignment (drive, on-scene, return to base). A
unit taken off its job (diverted) or dispatched on the way back is recognised by an epoch
counter, as in the kernel. Times are minutes; the only difference with the kernel is
floating-point rounding at the last bit (SimPy schedules by delay, ``now + (t - now)``).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator, Sequence
from typing import Any, Literal

import numpy as np
import simpy

from korps.dispatch.policy import (
    BUSY,
    FREE,
    OFF_DUTY,
    SCOPE_DISTRICT,
    SCOPE_OWN,
    SCOPE_WIDER,
    rank_units,
)
from korps.sim.demand import Incidents
from korps.sim.engine import Model, Replication, shift_stream

Policy = Literal["korps", "python"]
Process = Generator[simpy.Event, Any, None]
IntVector = Any  # list[int] for the pure-Python policy, an int64 array for korps's policy

NONE = -1
SHIFT_END = 0  # before a start at the same minute, as in the kernel
SHIFT_START = 1


def rank_units_python(
    priority: int,
    incident_atom: int,
    incident_district: int,
    unit_atom: Sequence[int],
    unit_home: Sequence[int],
    atom_district: Sequence[int],
    unit_state: Sequence[int],
    unit_job_priority: Sequence[int],
    travel: Sequence[Sequence[Sequence[float]]],
    divert: bool,
) -> list[int]:
    """Pure-Python port of ``korps.dispatch.policy.rank_units`` (units only, no scopes):
    the same keys, ties to the lower unit index."""
    row = travel[priority - 1]
    candidates: list[tuple[float, int]] = []
    for u, state in enumerate(unit_state):
        if state != FREE:
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
        tier = 1.0 if priority == 2 and scope == SCOPE_WIDER else 0.0
        candidates.append((tier * 1e9 + row[unit_atom[u]][incident_atom], u))
    if not candidates and priority == 1 and divert:
        first = travel[0]
        for u, state in enumerate(unit_state):
            if state == BUSY and unit_job_priority[u] == 3:
                candidates.append((first[unit_atom[u]][incident_atom], u))
    candidates.sort()
    return [u for _, u in candidates]


class SimPyTwin:
    """One replication of the digital twin in SimPy; ``run()`` returns a korps
    ``Replication`` so that ``korps.sim.kpi.summarize`` reads both the same way."""

    def __init__(
        self,
        model: Model,
        incidents: Incidents,
        *,
        policy: Policy = "korps",
        progress: Callable[[float], None] | None = None,
        progress_days: float = 30.0,
    ) -> None:
        self.env = simpy.Environment()
        self.model = model
        self.incidents = incidents
        self.policy = policy
        self.progress = progress
        self.progress_days = progress_days
        self.horizon = float(model.horizon)
        self.divert = bool(model.scenario.divert)
        self.return_to_base = bool(model.scenario.return_to_base)

        # incidents as Python lists: cheap element access from Python
        self.inc_time: list[float] = incidents.time.tolist()
        self.inc_atom: list[int] = incidents.atom.tolist()
        self.inc_prio: list[int] = incidents.priority.tolist()
        self.inc_units: list[int] = incidents.units.tolist()
        self.inc_intake: list[float] = incidents.intake.tolist()
        self.inc_service: list[float] = incidents.service.tolist()
        n = len(self.inc_time)

        self.operators: list[int] = model.operators_by_hour.tolist()
        self.intake = self.operators[0] >= 0
        self.travel: list[list[list[float]]] = model.travel.tolist()  # what dispatch ranks by
        self.drive: list[list[list[float]]] = model.drive.tolist()  # what units take
        self.unit_home: list[int] = model.unit_home.tolist()
        self.atom_district: list[int] = model.atom_district.tolist()
        m = len(self.unit_home)
        n_atoms = len(self.atom_district)

        # the state rank_units reads: int64 arrays for the compiled policy, lists otherwise
        self.u_state: IntVector
        self.u_atom: IntVector
        self.u_job_prio: IntVector
        if policy == "korps":
            self.u_state = np.full(m, OFF_DUTY, np.int64)
            self.u_atom = model.unit_home.copy()
            self.u_job_prio = np.zeros(m, np.int64)
        else:
            self.u_state = [OFF_DUTY] * m
            self.u_atom = list(self.unit_home)
            self.u_job_prio = [0] * m
        self.u_job = [NONE] * m
        self.u_epoch = [0] * m
        self.u_ending = [False] * m
        self.u_since = [0.0] * m
        self.u_busy = [0.0] * m
        self.u_log = [NONE] * m
        self.busy_how = [0.0] * 168

        nan = math.nan
        self.intake_start = [nan] * n
        self.ready = [nan] * n
        self.dispatched = [nan] * n
        self.first_on_scene = [nan] * n
        self.cleared = [nan] * n
        self.assigned = [0] * n
        self.working = [0] * n
        self.diversions = 0
        self.log_inc: list[int] = []
        self.log_unit: list[int] = []
        self.log_times: list[list[float]] = []

        self.intake_queues: list[deque[int]] = [deque(), deque(), deque()]
        self.ops_busy = 0
        self.prio1: deque[int] = deque()
        self.prio2: deque[int] = deque()
        self.prio3: list[deque[int]] = [deque() for _ in range(n_atoms)]

    # -- processes -------------------------------------------------------------------------

    def _arrivals(self) -> Process:
        env = self.env
        for i, t in enumerate(self.inc_time):
            yield env.timeout(max(0.0, t - env.now))
            if not self.intake:
                self.ready[i] = env.now
                self.intake_start[i] = env.now
                self._dispatch(i)
                continue
            self.intake_queues[self.inc_prio[i] - 1].append(i)
            self._start_intakes(self._capacity())

    def _operator_changes(self) -> Process:
        env = self.env
        ops = self.operators
        for h in range(1, len(ops)):
            if ops[h] != ops[h - 1]:
                yield env.timeout(max(0.0, h * 60.0 - env.now))
                self._start_intakes(ops[h])

    def _intake_call(self, i: int) -> Process:
        yield self.env.timeout(self.inc_intake[i])
        self.ready[i] = self.env.now
        self.ops_busy -= 1
        self._start_intakes(self._capacity())
        self._dispatch(i)

    def _roster(self) -> Process:
        env = self.env
        # the shift windows and the units' unavailable periods, in the kernel's event order
        # (time, an end before a start, then as made): korps.sim.engine.shift_stream
        times, kinds, units = shift_stream(self.model, self.incidents)
        for t, kind, u in zip(times.tolist(), kinds.tolist(), units.tolist(), strict=True):
            if t > env.now:
                yield env.timeout(t - env.now)
            if kind == SHIFT_START:
                self.u_ending[u] = False
                if self.u_state[u] == OFF_DUTY:
                    self.u_state[u] = FREE
                    self.u_atom[u] = self.unit_home[u]
                    self._take_waiting(u)
            elif self.u_state[u] == FREE:
                self.u_state[u] = OFF_DUTY
                self.u_epoch[u] += 1
            elif self.u_state[u] == BUSY:
                self.u_ending[u] = True
                self.u_job_prio[u] = 0  # past its shift: finishes its job, is not diverted

    def _job(self, u: int, i: int, drive: float, epoch: int) -> Process:
        """Unit ``u`` sent to incident ``i``: drive, on scene, free again, back to base.
        ``epoch`` is the unit's epoch at the assignment: a later one means it was taken
        off this job."""
        env = self.env
        yield env.timeout(drive)
        if epoch != self.u_epoch[u]:
            return  # diverted on the way
        self.u_atom[u] = self.inc_atom[i]
        self.log_times[self.u_log[u]][1] = env.now
        if math.isnan(self.first_on_scene[i]):
            self.first_on_scene[i] = env.now
        yield env.timeout(self.inc_service[i])
        if epoch != self.u_epoch[u]:
            return  # diverted on scene
        t = env.now
        self.working[i] -= 1
        if self.working[i] == 0 and self.assigned[i] >= self.inc_units[i]:
            self.cleared[i] = t
        self.u_busy[u] += t - self.u_since[u]
        self._add_busy(self.u_since[u], t)
        self.log_times[self.u_log[u]][2] = t
        self.u_log[u] = NONE
        self.u_job[u] = NONE
        self.u_job_prio[u] = 0
        self.u_epoch[u] += 1
        if self.u_ending[u]:
            self.u_state[u] = OFF_DUTY
            self.u_ending[u] = False
            return
        self.u_state[u] = FREE
        home = self.unit_home[u]
        where = self.u_atom[u]
        epoch = self.u_epoch[u]
        self._take_waiting(u)
        if self.return_to_base and where != home and epoch == self.u_epoch[u]:
            yield env.timeout(self.drive[3][where][home])
            if epoch == self.u_epoch[u] and self.u_state[u] == FREE:
                self.u_atom[u] = home

    def _progress(self) -> Process:
        assert self.progress is not None
        step = self.progress_days * 1440.0
        while self.env.now + step < self.horizon:
            yield self.env.timeout(step)
            self.progress(self.env.now / 1440.0)

    # -- the rules -------------------------------------------------------------------------

    def _capacity(self) -> int:
        ops = self.operators
        return ops[min(int(self.env.now // 60.0), len(ops) - 1)]

    def _start_intakes(self, capacity: int) -> None:
        queues = self.intake_queues
        while self.ops_busy < capacity:
            if queues[0]:
                i = queues[0].popleft()
            elif queues[1]:
                i = queues[1].popleft()
            elif queues[2]:
                i = queues[2].popleft()
            else:
                break
            self.ops_busy += 1
            self.intake_start[i] = self.env.now
            self.env.process(self._intake_call(i))

    def _rank(self, i: int) -> list[int]:
        p = self.inc_prio[i]
        atom = self.inc_atom[i]
        if self.policy == "korps":
            units, _scopes = rank_units(
                p,
                atom,
                self.model.atom_district[atom],
                self.u_atom,
                self.model.unit_home,
                self.model.atom_district,
                self.u_state,
                self.u_job_prio,
                self.model.travel,
                self.divert,
            )
            ranked: list[int] = units.tolist()
            return ranked
        return rank_units_python(
            p,
            atom,
            self.atom_district[atom],
            self.u_atom,
            self.unit_home,
            self.atom_district,
            self.u_state,
            self.u_job_prio,
            self.travel,
            self.divert,
        )

    def _dispatch(self, i: int) -> None:
        """Intake done: send the first candidates; what is not covered waits."""
        need = self.inc_units[i]
        for u in self._rank(i):
            if self.assigned[i] >= need:
                break
            if self.u_state[u] == BUSY:  # diverted from a prio-3 job: that job waits again
                j = self.u_job[u]
                self.assigned[j] -= 1
                self.working[j] -= 1
                self.log_times[self.u_log[u]][2] = self.env.now
                self.prio3[self.inc_atom[j]].appendleft(j)
                self.diversions += 1
            self._assign(u, i)
        if self.assigned[i] < need:
            p = self.inc_prio[i]
            queue = self.prio1 if p == 1 else self.prio2 if p == 2 else self.prio3[self.inc_atom[i]]
            queue.append(i)

    def _take_waiting(self, u: int) -> None:
        """A unit just became free: the oldest prio-1, else prio-2, else own prio-3."""
        if self.prio1:
            queue = self.prio1
        elif self.prio2:
            queue = self.prio2
        else:
            queue = self.prio3[self.unit_home[u]]
            if not queue:
                return
        i = queue[0]
        self._assign(u, i)
        if self.assigned[i] >= self.inc_units[i]:
            queue.popleft()

    def _assign(self, u: int, i: int) -> None:
        t = self.env.now
        p = self.inc_prio[i]
        if self.u_state[u] != BUSY:
            self.u_since[u] = t
        self.u_state[u] = BUSY
        self.u_job[u] = i
        self.u_job_prio[u] = p
        self.u_epoch[u] += 1
        self.assigned[i] += 1
        self.working[i] += 1
        if math.isnan(self.dispatched[i]):
            self.dispatched[i] = t
        drive = self.drive[p - 1][self.u_atom[u]][self.inc_atom[i]]
        self.u_log[u] = len(self.log_inc)
        self.log_inc.append(i)
        self.log_unit.append(u)
        self.log_times.append([t, math.nan, math.nan, drive])
        self.env.process(self._job(u, i, drive, self.u_epoch[u]))

    def _add_busy(self, start: float, end: float) -> None:
        t = start
        while t < end:
            hour = int(t // 60.0)
            stop = min(end, (hour + 1) * 60.0)
            self.busy_how[hour % 168] += stop - t
            t = stop

    # -- run -------------------------------------------------------------------------------

    def run(self) -> Replication:
        env = self.env
        env.process(self._roster())
        if self.intake and len(set(self.operators)) > 1:
            env.process(self._operator_changes())
        env.process(self._arrivals())
        if self.progress is not None:
            env.process(self._progress())
        env.run(until=self.horizon)
        for u, state in enumerate(self.u_state):
            if state == BUSY:  # still busy at the horizon: count the time up to it
                self.u_busy[u] += self.horizon - self.u_since[u]
                self._add_busy(self.u_since[u], self.horizon)
        return Replication(
            self.incidents,
            np.array(self.intake_start),
            np.array(self.ready),
            np.array(self.dispatched),
            np.array(self.first_on_scene),
            np.array(self.cleared),
            np.array(self.u_busy),
            np.array(self.busy_how),
            self.diversions,
            np.array(self.log_inc, dtype=np.int64),
            np.array(self.log_unit, dtype=np.int64),
            np.array(self.log_times, dtype=np.float64).reshape(-1, 4),
        )


def simulate_simpy(
    model: Model,
    incidents: Incidents,
    *,
    policy: Policy = "korps",
    progress: Callable[[float], None] | None = None,
) -> Replication:
    return SimPyTwin(model, incidents, policy=policy, progress=progress).run()
