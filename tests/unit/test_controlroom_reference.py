"""The control room's reference data (meldkamer.yaml) and small pure helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from korps.common.datafile import DatasetError
from korps.controlroom.reference import bundled_path, bundled_reference, load_reference
from korps.controlroom.seed import default_prefix

ROOT = Path(__file__).parents[2]


def test_bundled_reference_has_provenance_and_the_published_norms() -> None:
    reference = bundled_reference()
    assert reference.channel_codes == ["112", "0900-8844", "101", "online", "online-be", "desk"]
    # issue 14 item 11: a Dutch meldkamer offers no 101, a Belgian zone no 0900-8844
    assert [c.code for c in reference.channels_for("NL")] == ["112", "0900-8844", "online", "desk"]
    assert [c.code for c in reference.channels_for("BE")] == ["112", "101", "online-be", "desk"]
    # issue 14 item 10: the reasons to close an incident no unit reached; only Anders needs text
    assert [(r.code, r.needs_text) for r in reference.close_reasons] == [
        ("dubbel", False),
        ("ingetrokken", False),
        ("telefonisch", False),
        ("anders", True),
    ]
    norm1, norm2 = reference.norm(1), reference.norm(2)
    assert norm1 is not None and (norm1.minutes, norm1.share) == (15, 0.82)
    assert norm2 is not None and (norm2.minutes, norm2.share) == (30, 0.77)
    assert reference.norm(3) is None
    assert "001_6cfd4132a7d74cba.txt" in (norm1.source or "")
    assert all(c.source or c.assumption for c in reference.categories)
    expected = {
        "woninginbraak-heterdaad": 1,
        "verkeersongeval-letsel": 1,
        "burenruzie": 2,
        "fietsdiefstal-aangifte": 3,
    }
    for code, priority in expected.items():
        category = reference.category(code)
        assert category is not None and category.priority == priority
        assert category.assumption  # the seeds publish no classification
    assert reference.category("onbekend") is None
    assert "noodhulp" in reference.kind_codes
    assert reference.location.max_distance_km == 10


def test_the_bundled_norms_match_the_seed() -> None:
    seed = ROOT.parent / "shared" / "seeds" / "001_6cfd4132a7d74cba.txt"
    if not seed.exists():
        pytest.skip("seeds not beside the repository")
    text = seed.read_text(encoding="utf-8")
    assert "Aanrijdtijden prio 1: tenminste 82%binnen 15 minuten" in text
    assert "Aanrijdtijden prio 2: tenminste 77% binnen 30 minuten" in text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('priority: 1\n    assumption: "burglary', 'priority: 4\n    assumption: "burglary'),
            "priority",
        ),
        (("  - code: overval\n", "  - code: Overval!\n"), "categories[1].code"),
        (("  - code: burenruzie\n", "  - code: overval\n"), "duplicate code(s) overval"),
        (('    assumption: "nuisance without danger"\n', "\n"), "give a source or an assumption"),
        (("max_distance_km: 10", "max_distance_km: -1"), "location.max_distance_km"),
        (("title: Meldkamer", "titel: Meldkamer"), "onbekende sleutel"),
    ],
)
def test_a_bad_reference_file_is_refused_with_path_and_reason(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = bundled_path().read_text(encoding="utf-8")
    assert change[0] in text
    bad = tmp_path / "meldkamer.yaml"
    bad.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(DatasetError) as error:
        load_reference(bad)
    assert message in str(error.value)
    assert str(bad) in str(error.value)


def test_call_sign_prefix() -> None:
    assert default_prefix("Eenheid Rotterdam") == "RT"
    assert default_prefix("Eenheid Oost-Nederland") == "ON"
    assert default_prefix("Eenheid Den Haag") == "DH"
    assert default_prefix("Eenheid Amsterdam") == "AM"
