"""The dataset schema and its error locations, without a database."""

from __future__ import annotations

import pytest
import yaml

from korps.common.datafile import DatasetError, format_path
from korps.organisation.datafile import parse_text


def test_format_path() -> None:
    assert format_path(("units", 3, "figures", "formatie", "value")) == (
        "units[3].figures.formatie.value"
    )
    assert format_path(()) == ""


def test_numbers_and_objects_are_both_figures() -> None:
    parsed = parse_text(
        "dataset: d\ntitle: D\nperiod: 2024\nunits:\n  - slug: a\n    name: A\n    kind: team\n"
        "    code: 7\n    figures:\n      formatie: 3\n      os: {value: 2.5, note: n}\n",
        "d.yaml",
    )
    unit = parsed.spec.units[0]
    assert parsed.spec.period == "2024" and unit.code == "7"
    assert unit.figures["formatie"].value == 3.0
    assert (unit.figures["os"].value, unit.figures["os"].note) == (2.5, "n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dataset: Bad Slug\ntitle: x\n", "d.yaml:1: dataset: ongeldig formaat (kreeg 'Bad Slug')"),
        ("dataset: d\ntitle: x\nunits:\n  - slug: a\n    kind: team\n", "d.yaml:4: units[0].name"),
        (
            "dataset: d\ntitle: x\ncoverage:\n  - unit: a\n    gemeente: GM1\n",
            "d.yaml:5: coverage[0].gemeente",
        ),
        ("dataset: d\ntitle: x\nfigures: 5\n", "d.yaml:3: figures: verwacht een lijst"),
        ("dataset: d\ntitle: [x\n", "d.yaml:3: <document>: ongeldige YAML"),
    ],
)
def test_errors_name_file_line_and_path(text: str, expected: str) -> None:
    with pytest.raises(DatasetError) as info:
        parse_text(text, "d.yaml")
    assert expected in str(info.value)


def test_every_bundled_yaml_parses_and_uses_documented_categories() -> None:
    from pathlib import Path

    from korps.organisation.loader import bundled_names, datasets_dir

    documented = Path(__file__).parents[2].joinpath("docs", "datasets.md").read_text()
    names = [n for n in bundled_names() if n != "gemeenten"]
    for path in (datasets_dir() / f"{name}.yaml" for name in names):
        spec = parse_text(path.read_text(encoding="utf-8"), path.name).spec
        categories = {c for u in spec.units for c in u.figures}
        categories |= {f.category for f in spec.figures} | {t.category for t in spec.totals}
        undocumented = {c for c in categories if f"`{c}`" not in documented}
        assert not undocumented, f"{path.name}: document these categories: {undocumented}"
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["dataset"] == path.stem
