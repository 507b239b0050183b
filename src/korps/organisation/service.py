"""Queries of the organisation registry. Every function takes a session and keyword arguments."""

from __future__ import annotations

import csv
import os
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from korps.common.i18n import _
from korps.organisation import schemas
from korps.organisation.models import (
    Authority,
    Coverage,
    Dataset,
    Gemeente,
    GemeenteCrime,
    Partnership,
    PartnershipMember,
    PublishedTotal,
    Unit,
    UnitFigure,
)
from korps.organisation.tree import ancestor_ids, subtree_query

FTE_CATEGORIES = ("formatie", "operationele_sterkte")
WIJKAGENT_CATEGORIES = ("wijkagenten", "min_wijkagenten")
TOP_KINDS = ("korps", "eenheid", "zone")


def eenheid_of(session: Session, *, unit: Unit) -> Unit | None:
    """The eenheid (or Belgian zone) ``unit`` belongs to, itself included; None above it."""
    ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    return session.scalar(
        select(Unit).where(Unit.id.in_(ids), Unit.kind.in_(("eenheid", "zone"))).limit(1)
    )


class NotFoundError(LookupError):
    """A slug or code that is not in the database."""


def _first(figures: Iterable[UnitFigure], categories: Sequence[str]) -> float | None:
    by_category = {f.category: f.value for f in figures}
    return next((by_category[c] for c in categories if c in by_category), None)


def _figures(session: Session, unit_ids: Iterable[int]) -> dict[int, list[UnitFigure]]:
    result: dict[int, list[UnitFigure]] = defaultdict(list)
    ids = list(unit_ids)
    if ids:
        query = select(UnitFigure).where(UnitFigure.unit_id.in_(ids)).order_by(UnitFigure.id)
        for figure in session.scalars(query):
            result[figure.unit_id].append(figure)
    return result


def _summary(
    unit: Unit, figures: list[UnitFigure], parent: str | None = None
) -> schemas.UnitSummary:
    return schemas.UnitSummary(
        slug=unit.slug,
        name=unit.name,
        kind=unit.kind,
        code=unit.code,
        dataset=unit.dataset,
        parent_name=parent,
        fte=_first(figures, FTE_CATEGORIES),
        wijkagenten=_first(figures, WIJKAGENT_CATEGORIES),
    )


def get_unit(session: Session, *, slug: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.slug == slug))
    if unit is None:
        raise NotFoundError(_("onbekende eenheid {slug}", slug=repr(slug)))
    return unit


def _units_query(q: str | None, kind: str | None) -> Select[Unit]:
    query = select(Unit)
    if q:
        pattern = f"%{q.lower()}%"
        query = query.where(
            or_(
                func.lower(Unit.name).like(pattern),
                Unit.slug.like(pattern),
                func.lower(Unit.code).like(pattern),
            )
        )
    if kind:
        query = query.where(Unit.kind == kind)
    return query


def list_units_page(
    session: Session,
    *,
    q: str | None = None,
    kind: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[schemas.UnitSummary], int]:
    """Units whose name, slug or code contains ``q`` (case-insensitive), optionally of a
    kind: one page of them, and how many there are in all."""
    query = _units_query(q, kind)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    units = session.scalars(
        query.order_by(Unit.depth, Unit.name, Unit.id).offset(offset).limit(limit)
    ).all()
    figures = _figures(session, (u.id for u in units))
    parent_ids = {u.parent_id for u in units if u.parent_id is not None}
    parents = {
        i: n for i, n in session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(parent_ids)))
    }
    return [_summary(u, figures[u.id], parents.get(u.parent_id or 0)) for u in units], total


def list_units(
    session: Session, *, q: str | None = None, kind: str | None = None, limit: int = 50
) -> list[schemas.UnitSummary]:
    return list_units_page(session, q=q, kind=kind, limit=limit)[0]


def top_units(session: Session) -> list[schemas.UnitSummary]:
    """What the home page lists: the korps, the regional units and the zones."""
    units = session.scalars(
        select(Unit).where(Unit.kind.in_(TOP_KINDS)).order_by(Unit.depth, Unit.position)
    ).all()
    figures = _figures(session, (u.id for u in units))
    return [_summary(u, figures[u.id]) for u in units]


def unit_tree(session: Session, *, slug: str, depth: int | None = None) -> schemas.UnitNode:
    """The subtree under ``slug`` as nested nodes, read with one query on the materialised path."""
    root = get_unit(session, slug=slug)
    units = session.scalars(subtree_query(root, max_depth=depth)).all()
    figures = _figures(session, (u.id for u in units))
    nodes = {u.id: schemas.UnitNode(**_summary(u, figures[u.id]).model_dump()) for u in units}
    for unit in units:
        if unit.id != root.id and unit.parent_id in nodes:
            nodes[unit.parent_id].children.append(nodes[unit.id])
    return nodes[root.id]


def _coverage(session: Session, *, root: Unit) -> list[schemas.CoverageOut]:
    query = (
        select(Coverage, Unit, Gemeente)
        .join(Unit, Coverage.unit_id == Unit.id)
        .join(Gemeente, Coverage.gemeente_code == Gemeente.code)
        .where(Unit.path.startswith(root.path, autoescape=True))
        .order_by(Gemeente.name, Unit.position)
    )
    result = [
        schemas.CoverageOut(
            gemeente=schemas.GemeenteRef.model_validate(gemeente),
            unit=schemas.UnitRef.model_validate(unit),
            share=cover.share,
            assumption=cover.assumption,
            source=cover.source,
        )
        for cover, unit, gemeente in session.execute(query)
    ]
    if not result and root.region_code:
        gemeenten = session.scalars(
            select(Gemeente)
            .where(Gemeente.politie_eenheid_code == root.region_code)
            .order_by(Gemeente.name)
        )
        ref = schemas.UnitRef.model_validate(root)
        result = [
            schemas.CoverageOut(
                gemeente=schemas.GemeenteRef.model_validate(g),
                unit=ref,
                share=1.0,
                source="gemeenten.csv (politie_eenheid)",
            )
            for g in gemeenten
        ]
    return result


def _partnerships(session: Session, codes: Iterable[str]) -> list[schemas.PartnershipRef]:
    query = (
        select(Partnership)
        .join(PartnershipMember)
        .where(PartnershipMember.gemeente_code.in_(list(codes)))
        .distinct()
        .order_by(Partnership.kind, Partnership.name)
    )
    return [schemas.PartnershipRef.model_validate(p) for p in session.scalars(query)]


def _totals_for(session: Session, *, unit: Unit) -> list[schemas.TotalOut]:
    """Totals this unit carries: its own, and those whose rows meet lowest in this unit."""
    totals = session.scalars(select(PublishedTotal).order_by(PublishedTotal.id)).all()
    slugs = {slug for t in totals for slug in t.rows}
    query = select(Unit.slug, Unit.path).where(Unit.slug.in_(slugs))
    paths = {slug: path for slug, path in session.execute(query)}
    result = []
    for total in totals:
        row_paths = [paths[s] for s in total.rows if s in paths]
        meets = bool(row_paths) and _carrier_path(row_paths) == unit.path
        if total.unit_id == unit.id or (total.unit_id is None and meets):
            result.append(schemas.TotalOut.model_validate(total))
    return result


def _carrier_path(row_paths: list[str]) -> str:
    """The path of the deepest unit above all rows (their lowest common ancestor)."""
    common = os.path.commonpath(row_paths).rstrip("/") + "/"
    if common in row_paths:
        common = common[: common.rstrip("/").rfind("/") + 1]
    return common


def unit_detail(session: Session, *, slug: str) -> schemas.UnitDetail:
    unit = get_unit(session, slug=slug)
    ancestors = session.scalars(
        select(Unit).where(Unit.id.in_(ancestor_ids(unit))).order_by(Unit.depth)
    ).all()
    children = session.scalars(
        select(Unit).where(Unit.parent_id == unit.id).order_by(Unit.position, Unit.name)
    ).all()
    figures = _figures(session, [unit.id, *(c.id for c in children)])
    coverage = _coverage(session, root=unit)
    authorities = session.scalars(
        select(Authority).where(Authority.unit_id == unit.id).order_by(Authority.id)
    ).all()
    return schemas.UnitDetail(
        **_summary(unit, figures[unit.id]).model_dump(),
        description=unit.description,
        tasks=unit.tasks,
        source=unit.source,
        region_code=unit.region_code,
        parent=schemas.UnitRef.model_validate(ancestors[-1]) if ancestors else None,
        breadcrumbs=[schemas.UnitRef.model_validate(a) for a in ancestors],
        children=[_summary(c, figures[c.id]) for c in children],
        figures=[schemas.FigureOut.model_validate(f) for f in figures[unit.id]],
        totals=_totals_for(session, unit=unit),
        coverage=coverage,
        population=round(sum(c.gemeente.population * c.share for c in coverage)) or None,
        partnerships=_partnerships(session, {c.gemeente.code for c in coverage}),
        authorities=[schemas.AuthorityOut.model_validate(a) for a in authorities],
    )


ALTERNATIVE_NAMES = Path(__file__).parents[1] / "datasets" / "gemeente-alternatieve-namen.csv"


def fold(text: str) -> str:
    """For matching names: lower case, without accents and apostrophes (Súdwest-Fryslân ~
    sudwest-fryslan, 's-Gravenhage ~ s-gravenhage)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("'", "")


@lru_cache(maxsize=1)
def alternative_names() -> dict[str, tuple[str, ...]]:
    """Other names a municipality is known by (``gemeente-alternatieve-namen.csv``)."""
    names: dict[str, list[str]] = {}
    with ALTERNATIVE_NAMES.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            names.setdefault(row["code"], []).append(row["naam"])
    return {code: tuple(found) for code, found in names.items()}


def list_gemeenten(session: Session, *, q: str | None = None) -> list[schemas.GemeenteRef]:
    """Municipalities whose name or an alternative name contains ``q`` (case and accents
    ignored: "den haag" and "haag" find 's-Gravenhage)."""
    every = session.scalars(select(Gemeente).order_by(Gemeente.name))
    if not q:
        return [schemas.GemeenteRef.model_validate(g) for g in every]
    wanted = fold(q.strip())
    others = alternative_names()
    return [
        schemas.GemeenteRef.model_validate(g)
        for g in every
        if any(wanted in fold(name) for name in (g.name, *others.get(g.code, ())))
    ]


def gemeente_detail(session: Session, *, code: str) -> schemas.GemeenteDetail:
    gemeente = session.get(Gemeente, code)
    if gemeente is None:
        raise NotFoundError(_("onbekende gemeente {code}", code=repr(code)))
    covers = session.execute(
        select(Coverage, Unit)
        .join(Unit)
        .where(Coverage.gemeente_code == code)
        .order_by(Coverage.share.desc(), Unit.name)
    ).all()
    ref = schemas.GemeenteRef.model_validate(gemeente)
    district_ids = {u.parent_id for _cover, u in covers if u.parent_id is not None}
    districts = session.scalars(select(Unit).where(Unit.id.in_(district_ids))).all()
    eenheid = session.scalar(select(Unit).where(Unit.region_code == gemeente.politie_eenheid_code))
    crime = session.scalars(
        select(GemeenteCrime)
        .where(GemeenteCrime.gemeente_code == code)
        .order_by(GemeenteCrime.year)
    )
    authorities = session.scalars(select(Authority).where(Authority.gemeente_code == code))
    return schemas.GemeenteDetail.model_validate(gemeente).model_copy(
        update={
            "basisteams": [
                schemas.CoverageOut(
                    gemeente=ref,
                    unit=schemas.UnitRef.model_validate(u),
                    share=c.share,
                    assumption=c.assumption,
                    source=c.source,
                )
                for c, u in covers
            ],
            "districts": [schemas.UnitRef.model_validate(d) for d in districts],
            "eenheid": schemas.UnitRef.model_validate(eenheid) if eenheid else None,
            "partnerships": _partnerships(session, [code]),
            "authorities": [schemas.AuthorityOut.model_validate(a) for a in authorities],
            "crime": [schemas.CrimeOut.model_validate(c) for c in crime],
        }
    )


def list_partnerships(session: Session, *, kind: str | None = None) -> list[schemas.PartnershipOut]:
    query = select(Partnership).options(selectinload(Partnership.members))
    if kind:
        query = query.where(Partnership.kind == kind)
    partnerships = session.scalars(query.order_by(Partnership.kind, Partnership.name)).all()
    names = {g.code: g for g in session.scalars(select(Gemeente))}
    return [
        schemas.PartnershipOut(
            slug=p.slug,
            name=p.name,
            kind=p.kind,
            code=p.code,
            source=p.source,
            assumption=p.assumption,
            members=[schemas.GemeenteRef.model_validate(names[m.gemeente_code]) for m in p.members],
        )
        for p in partnerships
    ]


def list_datasets(session: Session) -> list[schemas.DatasetOut]:
    return [
        schemas.DatasetOut.model_validate(d)
        for d in session.scalars(select(Dataset).order_by(Dataset.loaded_at))
    ]


def dataset_totals(session: Session, *, name: str) -> list[schemas.TotalOut]:
    if session.get(Dataset, name) is None:
        raise NotFoundError(_("onbekende dataset {name}", name=repr(name)))
    query = select(PublishedTotal).where(PublishedTotal.dataset == name)
    return [schemas.TotalOut.model_validate(t) for t in session.scalars(query)]
