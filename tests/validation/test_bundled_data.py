"""The bundled datasets reproduce the published figures of the seeds."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from korps.organisation import service
from korps.organisation.models import (
    Authority,
    Dataset,
    Gemeente,
    Partnership,
    PublishedTotal,
    Unit,
    UnitFigure,
)
from tests.conftest import Db


def figure_sum(db: Db, *, kind: str, under: str, category: str) -> float:
    with db.session() as session:
        root = service.get_unit(session, slug=under)
        query = (
            select(func.sum(UnitFigure.value))
            .join(Unit)
            .where(Unit.kind == kind, Unit.path.startswith(root.path))
            .where(UnitFigure.category == category)
        )
        return round(float(session.scalar(query) or 0.0), 6)


def count(db: Db, *, kind: str, under: str) -> int:
    with db.session() as session:
        root = service.get_unit(session, slug=under)
        query = select(func.count()).select_from(Unit)
        return int(
            session.scalar(query.where(Unit.kind == kind, Unit.path.startswith(root.path))) or 0
        )


def messages(db: Db, name: str) -> list[str]:
    with db.session() as session:
        return session.get_one(Dataset, name).messages


def test_rotterdam_districts_basisteams_formation_and_wijkagenten(loaded_db: Db) -> None:
    assert count(loaded_db, kind="district", under="rotterdam") == 7
    assert count(loaded_db, kind="basisteam", under="rotterdam") == 18
    assert figure_sum(loaded_db, kind="basisteam", under="rotterdam", category="formatie") == 3013.8
    assert (
        figure_sum(loaded_db, kind="basisteam", under="rotterdam", category="wijkagenten") == 407.5
    )
    with loaded_db.session() as session:
        codes = {u.code for u in service.unit_tree(session, slug="rotterdam", depth=1).children}
    assert {"A", "B", "C", "D", "E", "F", "ZHP"} <= codes


def test_rotterdam_total_difference_is_reported_and_both_kept(loaded_db: Db) -> None:
    assert any(
        "Formatie Districten en Basisteams, Totaal: gepubliceerd 3.833, "
        "de rijen tellen op tot 3.833,2" in m
        for m in messages(loaded_db, "rotterdam")
    )
    with loaded_db.session() as session:
        total = session.scalar(
            select(PublishedTotal).where(
                PublishedTotal.label == "Formatie Districten en Basisteams, Totaal"
            )
        )
    assert total is not None
    assert (total.published, total.computed) == (3833.0, 3833.2)


def test_rotterdam_inhabitants_per_district_derive_from_wijkagenten(loaded_db: Db) -> None:
    with loaded_db.session() as session:
        zuid = service.unit_detail(session, slug="rotterdam-d")
    by_category = {f.category: f.value for f in zuid.figures}
    assert zuid.name == "Rotterdam Zuid"
    assert by_category["wijkagenten"] == 59.6 and by_category["inwoners_per_wijkagent"] == 3253
    assert round(by_category["wijkagenten"] * by_category["inwoners_per_wijkagent"]) == 193879


def test_oost_nederland_strength_and_wijkagenten(loaded_db: Db) -> None:
    assert count(loaded_db, kind="district", under="oost-nederland") == 5
    assert count(loaded_db, kind="basisteam", under="oost-nederland") == 27
    with loaded_db.session() as session:
        tree = service.unit_tree(session, slug="oost-nederland")
    districts = [c for c in tree.children if c.kind == "district"]
    rows = [r for d in districts for r in service_children(loaded_db, d.slug)]
    assert round(sum(rows), 1) == 3835.8
    assert (
        figure_sum(loaded_db, kind="basisteam", under="oost-nederland", category="min_wijkagenten")
        == 656
    )
    assert any(
        "N.O. Gelderland" in m and "gepubliceerd 899,8, de rijen tellen op tot 899,9" in m
        for m in messages(loaded_db, "oost-nederland")
    )


def service_children(db: Db, slug: str) -> list[float]:
    """Operationele sterkte of the rows under a district: basisteams, DR, flexteam, leiding."""
    with db.session() as session:
        detail = service.unit_detail(session, slug=slug)
        values = {
            c.slug: next(
                (
                    f.value
                    for f in service.unit_detail(session, slug=c.slug).figures
                    if f.category == "operationele_sterkte"
                ),
                None,
            )
            for c in detail.children
        }
    assert None not in values.values(), values
    return [v for v in values.values() if v is not None]


@pytest.mark.parametrize(("eenheid", "expected"), [("rotterdam", 23), ("oost-nederland", 76)])
def test_units_cover_their_municipalities(loaded_db: Db, eenheid: str, expected: int) -> None:
    with loaded_db.session() as session:
        detail = service.unit_detail(session, slug=eenheid)
    assert len({c.gemeente.code for c in detail.coverage}) == expected
    shares: dict[str, float] = {}
    for cover in detail.coverage:
        shares[cover.gemeente.code] = shares.get(cover.gemeente.code, 0) + cover.share
        assert cover.assumption, "basisteam coverage is not published: it must say why"
    assert all(abs(s - 1) < 1e-9 for s in shares.values())
    assert any(
        f"{eenheid} (RE" in m and f"alle {expected} gemeenten" in m
        for m in messages(loaded_db, eenheid)
    )


def test_gemeenten_and_partnerships(loaded_db: Db) -> None:
    with loaded_db.session() as session:
        assert session.scalar(select(func.count()).select_from(Gemeente)) == 342
        assert session.scalar(select(func.sum(Gemeente.population))) == 17_942_942
        kinds = dict(
            session.execute(select(Partnership.kind, func.count()).group_by(Partnership.kind)).all()
        )
    assert kinds == {"veiligheidsregio": 25, "riec": 10}


def test_national_counts_are_kept_as_published(loaded_db: Db) -> None:
    with loaded_db.session() as session:
        totals = {t.label: t for t in service.dataset_totals(session, name="nederland")}
    assert totals["Districten van de tien regionale eenheden"].published == 43
    assert totals["Basisteams van de tien regionale eenheden"].published == 168
    assert totals["Veiligheidshuizen"].published == 41
    assert totals["Regionale eenheden van de nationale politie"].computed == 10


def test_rvo_members_as_published_linked_to_current_municipality(loaded_db: Db) -> None:
    with loaded_db.session() as session:
        rows = session.scalars(select(Authority).where(Authority.rvo.is_(True))).all()
        voorne = {a.published_as for a in rows if a.gemeente_code == "GM1992"}
        roles = {a.role for a in rows}
        regio = [a.name for a in rows if a.regioburgemeester]
        covered = {a.gemeente_code for a in rows if a.role == "burgemeester"}
    assert voorne == {"Brielle", "Hellevoetsluis", "Westvoorne"}
    assert roles == {"burgemeester", "hoofdofficier", "politiechef"}
    assert regio == ["A. Aboutaleb"]
    assert len(covered) == 23
