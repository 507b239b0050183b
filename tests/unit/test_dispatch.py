"""The dispatch policy shared by the control room and the simulation."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from korps.dispatch.policy import (
    BUSY,
    FREE,
    OFF_DUTY,
    SCOPE_DISTRICT,
    SCOPE_DIVERTED,
    SCOPE_OWN,
    SCOPE_WIDER,
    link,
    pick_units,
    places_by_travel,
    rank_units,
)
from korps.dispatch.travel import TravelModel, great_circle_km, travel_matrices

# three areas: 0 and 1 in district 0, 2 in district 1; 2 lies closest to area 0
TRAVEL = np.array([[[2.0, 9.0, 4.0], [9.0, 2.0, 12.0], [4.0, 12.0, 2.0]]] * 3)
ATOM_DISTRICT = np.array([0, 0, 1])


def rank(
    priority: int,
    at: int,
    state: list[int],
    where: list[int],
    home: list[int],
    job: list[int] | None = None,
    divert: bool = False,
) -> tuple[list[int], list[int]]:
    units, scopes = rank_units(
        priority,
        at,
        int(ATOM_DISTRICT[at]),
        np.array(where),
        np.array(home),
        ATOM_DISTRICT,
        np.array(state),
        np.array(job or [0] * len(state)),
        TRAVEL,
        divert,
    )
    return units.tolist(), scopes.tolist()


def test_prio1_takes_the_nearest_unit_anywhere() -> None:
    units, scopes = rank(1, 0, [FREE, FREE, FREE], where=[1, 2, 0], home=[1, 2, 1])
    assert units == [2, 1, 0]  # at area 0 (2 min), area 2 (4 min), area 1 (9 min)
    assert scopes == [SCOPE_DISTRICT, SCOPE_WIDER, SCOPE_DISTRICT]


def test_prio2_prefers_its_district_then_wider() -> None:
    units, scopes = rank(2, 0, [FREE, FREE], where=[1, 2], home=[1, 2])
    assert units == [0, 1] and scopes == [SCOPE_DISTRICT, SCOPE_WIDER]


def test_prio3_only_its_own_basisteam() -> None:
    units, scopes = rank(3, 0, [FREE, FREE, FREE], where=[2, 0, 1], home=[0, 1, 2])
    assert units == [0] and scopes == [SCOPE_OWN]
    assert rank(3, 0, [BUSY, FREE], where=[0, 0], home=[0, 1]) == ([], [])


def test_busy_and_off_duty_units_are_skipped_and_prio3_jobs_can_be_diverted() -> None:
    state = [BUSY, OFF_DUTY, BUSY]
    assert rank(1, 0, state, where=[0, 0, 2], home=[0, 0, 2], job=[3, 0, 1]) == ([], [])
    units, scopes = rank(1, 0, state, where=[0, 0, 2], home=[0, 0, 2], job=[3, 0, 1], divert=True)
    assert units == [0] and scopes == [SCOPE_DIVERTED]


def test_ties_go_to_the_lower_index() -> None:
    assert rank(1, 0, [FREE, FREE, FREE], where=[1, 0, 0], home=[1, 0, 0])[0] == [1, 2, 0]


def test_travel_model() -> None:
    # Rotterdam - Utrecht centre to centre is about 50 km
    assert great_circle_km(51.9225, 4.4792, 52.0907, 5.1214) == pytest.approx(47.3, abs=1.0)
    minutes = travel_matrices([51.9, 52.0], [4.5, 4.5], [25.0, 100.0], TravelModel())
    assert minutes.shape == (3, 2, 2)
    # within an area: 0.5214 x sqrt(25 km2) x 1.3 detour at 70 km/h
    assert minutes[0, 0, 0] == pytest.approx(0.5214 * 5 * 1.3 / 70 * 60)
    assert (minutes[0] < minutes[2]).all()  # prio 1 drives faster than prio 3
    with pytest.raises(ValueError, match="detour"):
        TravelModel(detour=0.5)


IntArray = npt.NDArray[np.int64]


def free_lists(
    order: IntArray, state: IntArray, where: IntArray, home: IntArray, atoms: int
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """The free units in the linked lists ``pick_units`` reads, linked in ``order``."""
    n = order.shape[0]
    lists = (np.full(atoms, -1), np.full(n, -1), np.full(atoms, -1), np.full(n, -1))
    prevs = (np.full(n, -1), np.full(n, -1))
    for u in order:
        if state[u] == FREE:
            link(lists[0], lists[1], prevs[0], int(where[u]), int(u))
            link(lists[2], lists[3], prevs[1], int(home[u]), int(u))
    return lists


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_fast_path_picks_what_the_ranking_puts_first(data: st.DataObject) -> None:
    """The simulation's ``pick_units`` and the control room's ``rank_units`` agree."""
    n = data.draw(st.integers(1, 12))
    atoms = data.draw(st.integers(1, 4))
    travel = np.array(
        data.draw(
            st.lists(
                st.sampled_from([1.0, 2.0, 3.0, 5.0, 8.0]),
                min_size=3 * atoms * atoms,
                max_size=3 * atoms * atoms,
            )
        )
    )
    travel = travel.reshape(3, atoms, atoms)
    district = np.array([data.draw(st.integers(0, 1)) for _ in range(atoms)])
    ints = st.integers(0, atoms - 1)
    where = np.array(data.draw(st.lists(ints, min_size=n, max_size=n)))
    home = np.array(data.draw(st.lists(ints, min_size=n, max_size=n)))
    state = np.array(
        data.draw(st.lists(st.sampled_from([FREE, BUSY, OFF_DUTY]), min_size=n, max_size=n))
    )
    job = np.array(data.draw(st.lists(st.sampled_from([0, 1, 2, 3]), min_size=n, max_size=n)))
    priority = data.draw(st.integers(1, 3))
    at = data.draw(ints)
    divert = data.draw(st.booleans())
    wanted = data.draw(st.integers(1, 3))
    args = (priority, at, int(district[at]), where, home, district, state, job, travel, divert)
    ranked, _ = rank_units(*args)
    out = np.empty(8, dtype=np.int64)
    order = np.array(data.draw(st.permutations(range(n))), dtype=np.int64)  # any order
    free = free_lists(order, state, where, home, atoms)
    found = pick_units(
        wanted,
        out,
        np.empty(8),
        priority,
        at,
        int(district[at]),
        free,
        places_by_travel(travel),
        order,
        n,
        *args[3:],
    )
    assert out[:found].tolist() == ranked[:wanted].tolist()
