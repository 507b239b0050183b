"""Materialised-path helpers and Dutch number formatting, checked with hypothesis."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from korps.common.formatting import number
from korps.organisation.service import _carrier_path

ids = st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=6, unique=True)


def as_path(parts: list[int]) -> str:
    return "/" + "".join(f"{p}/" for p in parts)


@given(
    prefix=ids,
    tails=st.lists(st.integers(min_value=1, max_value=10_000), min_size=2, max_size=5, unique=True),
)
def test_carrier_of_siblings_is_their_parent(prefix: list[int], tails: list[int]) -> None:
    tails = [t for t in tails if t not in prefix]
    if len(tails) < 2:
        return
    rows = [as_path([*prefix, t]) for t in tails]
    assert _carrier_path(rows) == as_path(prefix)


def test_carrier_of_one_row_is_its_parent_and_ids_are_not_prefixes() -> None:
    assert _carrier_path(["/1/5/10/"]) == "/1/5/"
    assert _carrier_path(["/1/5/10/", "/1/5/105/"]) == "/1/5/"
    assert _carrier_path(["/1/5/10/20/", "/1/5/11/"]) == "/1/5/"


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_dutch_number_round_trips(value: float) -> None:
    text = number(value)
    parsed = float(text.replace(".", "").replace(",", "."))
    assert abs(parsed - round(value, 1)) < 1e-6


def test_dutch_number_examples() -> None:
    assert number(3833.0) == "3.833,0"
    assert number(17942942, 0) == "17.942.942"
    assert number(None) == "–"
