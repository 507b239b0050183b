"""Every target of Rotterdam's Bijlage 2 (Eenheidsmonitorset 2023 - 2026) and of
Oost-Nederland's Afspraken is in the bundled monitor data, with its source: the targets are
listed from the seed text itself (so a figure added to or changed in the text fails here)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from korps.monitor.datafile import PlanFile, parse_plan
from korps.monitor.loader import bundled_files, target_years

SEEDS = Path("/work/shared/seeds")
ROTTERDAM, OOST = "001_6cfd4132a7d74cba.txt", "003_f72584bcbe85a406.txt"
pytestmark = pytest.mark.skipif(not SEEDS.exists(), reason="seed texts not present")


def _plan(code: str) -> PlanFile:
    for path in bundled_files()[1:]:
        plan, _root = parse_plan(path.read_text(encoding="utf-8"), str(path))
        if plan.code == code:
            return plan
    raise AssertionError(code)


def _bundled(plan: PlanFile) -> list[tuple[int, float | None, str, str, str]]:
    """(year, value, kind, published, source) of every target of the plan."""
    return [
        (year, value, spec.kind, spec.published, spec.source)
        for theme in plan.themes
        for spec in theme.targets
        for year, value in target_years(spec, plan).items()
    ]


def _number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def _bijlage2() -> str:
    text = (SEEDS / ROTTERDAM).read_text(encoding="utf-8")
    start = text.index("Politie voor iedereen\n\t• Tevredenheid")
    return text[start : text.index("De doelstellingen voor 2023")]


def test_rotterdam_yearly_tables() -> None:
    """Rows of four yearly figures (2023-2026) in the Ondermijning and Cybercrime tables."""
    found = _bundled(_plan("rotterdam-2023-2026"))
    rows = re.findall(
        r"^(.*?)\s*((?:(?:\d{1,3}(?:\.\d{3})+|\d+|nb)\s+){3}(?:\d{1,3}(?:\.\d{3})+|\d+|nb))\s*$",
        _bijlage2(),
        flags=re.M,
    )
    figures = [
        (label, cells.split())
        for label, cells in rows
        if cells.split() != ["2023", "2024", "2025", "2026"]
    ]
    assert len(figures) == 5  # CSV's (nb), waardebeslag, mensenhandel, cybercrime, gedigitaliseerd
    for label, cells in figures:
        for year, cell in zip(range(2023, 2027), cells, strict=True):
            if cell == "nb":
                hits = [f for f in found if f[0] == year and f[2] == "nb" and label.strip() in f[3]]
            else:
                hits = [f for f in found if f[0] == year and f[1] == _number(cell)]
            assert hits, f"{label!r} {year}: {cell} not bundled"
            assert all(ROTTERDAM in h[4] for h in hits)


def test_rotterdam_norms_and_caveats() -> None:
    found = _bundled(_plan("rotterdam-2023-2026"))
    text = _bijlage2()
    percents = [_number(p) for p in re.findall(r"(\d+(?:,\d+)?)\s?%", text)]
    assert sorted(set(percents)) == [5.9, 35.0, 77.0, 82.0, 97.0, 100.0]
    for value in percents:
        for year in range(2023, 2027):
            assert any(f[0] == year and f[1] == value and ROTTERDAM in f[4] for f in found), value
    improvements = len(re.findall(r"verbetering ten opzichte van vorige\s+meting", text))
    kept = {f[3] for f in found if f[2] == "verbetering"}
    assert improvements == 3 == len(kept)
    assert all("verbetering ten opzichte van vorige meting" in k for k in kept)
    assert "(monitoring)" in text and any(f[2] == "monitoring" for f in found)


def test_oost_nederland_afspraken_with_their_source() -> None:
    found = _bundled(_plan("oost-nederland-2024-2027"))
    text = " ".join((SEEDS / OOST).read_text(encoding="utf-8").split())
    agreements = re.findall(r"- ([^-]+?\(bron: (Veiligheidsagenda|OM)\))", text)
    numbered = [
        (a, src) for a, src in agreements if re.search(r"\d", a.replace("onderzoeken3", ""))
    ]
    assert len(numbered) == 6
    for agreement, source in numbered:
        years = [int(y) for y in re.findall(r"\b(20\d\d)\b", agreement)]
        amounts = [_number(m) for m in re.findall(r"€([\d.]+)", agreement)]
        counts = [
            _number(m)
            for m in re.findall(
                r"(?<![\d€.])(\d+)%?(?= |$)", agreement.replace("onderzoeken3", "onderzoeken")
            )
            if not re.fullmatch(r"20\d\d", m)
        ]
        figures = amounts or counts
        assert figures, agreement
        for value in figures:
            hits = [
                f for f in found if f[1] == value and f"bron: {source}" in f[4] and OOST in f[4]
            ]
            assert hits, f"{value} of {agreement!r}"
            if years and not amounts:
                assert {h[0] for h in hits} >= set(years), agreement
        for year, amount in zip(years, amounts, strict=False):
            assert any(f[0] == year and f[1] == amount for f in found), (year, amount)
