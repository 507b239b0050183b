"""The occupancy file parser (CSV/XLSX) and the gap arithmetic, without a database."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from pydantic_core import PydanticCustomError

from korps.common.datafile import DatasetError
from korps.formation.datafile import parse_file, parse_fte
from korps.formation.service import figures


@pytest.mark.parametrize(
    ("text", "value"),
    [("12", 12.0), ("12.5", 12.5), ("12,5", 12.5), (" 0,25 ", 0.25), (",5", 0.5), ("-3", -3.0)],
)
def test_fte_accepts_point_and_dutch_comma(text: str, value: float) -> None:
    assert parse_fte(text) == value


@pytest.mark.parametrize("text", ["veel", "1.234,5", "1,2,3", "", "nan", "inf", "12 fte"])
def test_fte_refuses_what_is_not_a_plain_number(text: str) -> None:
    with pytest.raises(PydanticCustomError, match=r"geen getal|not a"):
        parse_fte(text)


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_fte_dutch_comma_round_trips(value: float) -> None:
    text = f"{value:.6f}"
    assert parse_fte(text.replace(".", ",")) == parse_fte(text) == float(text)


def test_figures_gap_and_percentage() -> None:
    assert figures(18.0, 17.5).model_dump() == {
        "formation": 18.0,
        "occupancy": 17.5,
        "gap": 0.5,
        "percentage": 97.22,
    }
    assert figures(None, 3.0).gap is None
    assert figures(0.0, 0.0).percentage is None and figures(0.0, 0.0).gap == 0.0


def write(tmp_path: Path, text: str, name: str = "bezetting.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_with_semicolons_bom_crlf_and_decimal_comma(tmp_path: Path) -> None:
    text = "\ufeffUnit;Category;Period;Bezetting;Source\r\na-b;wijkagenten;2023-2026;17,5;\r\n\r\n"
    parsed = parse_file(write(tmp_path, text))
    assert parsed.problems == []
    [located] = parsed.rows
    assert located.line == 2
    assert located.row.model_dump() == {
        "unit": "a-b",
        "category": "wijkagenten",
        "period": "2023-2026",
        "bezetting": 17.5,
        "source": None,
    }


def test_csv_line_numbers_count_physical_lines(tmp_path: Path) -> None:
    text = 'unit,category,period,bezetting,source\na,x,2024,1,"two\nlines"\nb,x,2024,-1,\n'
    parsed = parse_file(write(tmp_path, text))
    assert [p.render("f") for p in parsed.problems] == [
        "f:4: kolom bezetting: negatieve waarde -1: bezetting is fte >= 0"
    ]


def test_xlsx_problems_name_sheet_row_and_cell(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Bezetting"
    sheet.append(["unit", "category", "period", "bezetting"])
    sheet.append(["a", "wijkagenten", 2024, 3])
    sheet.append(["b", "wijkagenten", "2024", "drie"])
    path = tmp_path / "bezetting.xlsx"
    workbook.save(path)
    parsed = parse_file(path)
    assert parsed.sheet == "Bezetting"
    assert parsed.rows[0].row.period == "2024" and parsed.rows[0].row.bezetting == 3.0
    assert [p.render(parsed.file) for p in parsed.problems] == [
        f"{path}:3: blad 'Bezetting', cel D3, kolom bezetting: "
        "geen getal ('drie'); schrijf fte als 12.5 of 12,5, met de cijfers 0-9"
    ]
    with pytest.raises(DatasetError, match="geen werkblad 'Andere' \\(bladen: 'Bezetting'\\)"):
        parse_file(path, sheet="Andere")


def test_a_zip_that_is_no_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "archief.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "geen werkmap")
    with pytest.raises(DatasetError) as info:
        parse_file(path)
    assert str(info.value).startswith(f"{path}: bestand: geen leesbare XLSX-werkmap (")


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("kapot.xlsx", b"unit,category\n", "geen leesbare XLSX-werkmap (BadZipFile"),
        ("kapot.xlsx", b"PK\x03\x04 truncated", "geen leesbare XLSX-werkmap"),
        ("bezetting.ods", b"", "geen ondersteund bestandstype (gebruik .csv of .xlsx)"),
        ("leeg.csv", b"", "leeg bestand: een kopregel verwacht"),
        (
            "latin.csv",
            "unit;category;period;bezetting\nà;b;c;1\n".encode("cp1252"),
            "CSV-bestand niet te lezen",
        ),
    ],
)
def test_unreadable_files_are_refused_with_a_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    try:
        parsed = parse_file(path)
    except DatasetError as exc:
        message = str(exc)
    else:
        message = "\n".join(p.render(parsed.file) for p in parsed.problems)
    assert f"{path}: bestand: {reason}" in message
