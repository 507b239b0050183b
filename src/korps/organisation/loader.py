"""Load a dataset (bundled name or YAML path) into the database in one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from korps.common.datafile import DatasetError, Problem
from korps.common.formatting import number
from korps.common.i18n import _
from korps.organisation import checks, reference
from korps.organisation.datafile import ParsedFile, parse_file
from korps.organisation.models import (
    Authority,
    Coverage,
    Dataset,
    Gemeente,
    PublishedTotal,
    Unit,
    UnitFigure,
)
from korps.organisation.partnerships import PartnershipRow, replace_partnerships
from korps.organisation.tree import recompute_paths

BUNDLED_ORDER = ("gemeenten", "nederland", "rotterdam", "oost-nederland", "politiezone-voorbeeld")


@dataclass
class LoadReport:
    dataset: str
    title: str
    counts: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)


def datasets_dir() -> Path:
    return Path(str(resources.files("korps") / "datasets"))


def bundled_names() -> list[str]:
    return list(BUNDLED_ORDER)


def resolve(name_or_path: str) -> Path:
    """A bundled dataset name, or a path to the user's own YAML file."""
    if name_or_path in BUNDLED_ORDER:
        if name_or_path == reference.DATASET:
            return datasets_dir()
        return datasets_dir() / f"{name_or_path}.yaml"
    path = Path(name_or_path)
    if not path.exists():
        known = ", ".join(BUNDLED_ORDER)
        raise DatasetError(
            name_or_path,
            [
                Problem(
                    "",
                    _("geen bestand of meegeleverde dataset (meegeleverd: {known})", known=known),
                )
            ],
        )
    return path


def load(session: Session, *, name_or_path: str) -> LoadReport:
    """Validate and write one dataset; on any problem raise DatasetError and write nothing."""
    path = resolve(name_or_path)
    try:
        if name_or_path == reference.DATASET:
            report = _load_reference(session, directory=path)
        else:
            report = _load_yaml(session, parsed=parse_file(path), digest=_sha256(path))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _record(
    session: Session, *, name: str, title: str, source: str | None, digest: str, messages: list[str]
) -> None:
    dataset = session.get(Dataset, name) or Dataset(name=name)
    dataset.title, dataset.source, dataset.sha256 = title, source, digest
    dataset.loaded_at = datetime.now(UTC)
    dataset.messages = messages
    session.add(dataset)
    session.flush()


def _load_reference(session: Session, *, directory: Path) -> LoadReport:
    data = reference.read_reference(directory)
    digest = hashlib.sha256(
        b"".join(
            _sha256(directory / f).encode()
            for f in ("gemeenten.csv", "misdrijven_per_gemeente.csv", "veiligheidsregios.csv")
        )
    ).hexdigest()
    _record(
        session,
        name=reference.DATASET,
        title="Gemeenten (CBS, politie)",
        source=reference.SOURCE,
        digest=digest,
        messages=[],
    )
    messages = reference.write_reference(session, data)
    session.get_one(Dataset, reference.DATASET).messages = messages
    return LoadReport(
        dataset=reference.DATASET,
        title="Gemeenten",
        messages=messages,
        counts={"gemeenten": len(data.gemeenten), "crime_rows": len(data.crime)},
    )


def _load_yaml(session: Session, *, parsed: ParsedFile, digest: str) -> LoadReport:
    context = checks.read_context(session)
    problems = checks.check_requires(parsed, context)
    problems += checks.check_units(parsed, context)
    problems += checks.check_references(parsed, context)
    coverage_problems, messages = checks.check_coverage(parsed, context)
    problems += coverage_problems
    if problems:
        raise DatasetError(parsed.file, problems)
    spec = parsed.spec
    _record(
        session, name=spec.dataset, title=spec.title, source=spec.source, digest=digest, messages=[]
    )
    units = _write_units(session, parsed)
    _write_figures(session, parsed, units)
    differences = _write_totals(session, parsed, units)
    _write_links(session, parsed, units)
    recompute_paths(session)
    report = LoadReport(
        dataset=spec.dataset,
        title=spec.title,
        counts={
            "units": len(spec.units),
            "figures": sum(len(u.figures) for u in spec.units) + len(spec.figures),
            "totals": len(spec.totals),
            "coverage": len(spec.coverage),
            "authorities": len(spec.authorities),
            "partnerships": len(spec.partnerships),
        },
        messages=messages,
        differences=differences,
    )
    session.get_one(Dataset, spec.dataset).messages = messages + differences
    return report


def _write_units(session: Session, parsed: ParsedFile) -> dict[str, Unit]:
    """Upsert the file's units by slug; remove the ones this dataset owned and no longer lists."""
    spec, name = parsed.spec, parsed.spec.dataset
    units = {u.slug: u for u in session.scalars(select(Unit))}
    listed = {u.slug for u in spec.units}
    stale = [u for u in units.values() if u.dataset == name and u.slug not in listed]
    stale_ids = {u.id for u in stale}
    for unit in units.values():
        if unit.parent_id in stale_ids and unit.slug not in listed and unit.dataset != name:
            raise DatasetError(
                parsed.file,
                [
                    Problem(
                        "units",
                        _(
                            "een eenheid waar {dataset} {slug} onder hangt kan niet weg",
                            dataset=repr(unit.dataset),
                            slug=repr(unit.slug),
                        ),
                    )
                ],
            )
    session.execute(delete(UnitFigure).where(UnitFigure.dataset == name))
    for unit in sorted(stale, key=lambda u: -u.path.count("/")):
        session.delete(unit)
        session.flush()
        del units[unit.slug]
    for position, unit_spec in enumerate(spec.units):
        unit = units.get(unit_spec.slug) or Unit(slug=unit_spec.slug, dataset=name)
        unit.name, unit.kind, unit.code = unit_spec.name, unit_spec.kind, unit_spec.code
        unit.region_code, unit.description = unit_spec.region_code, unit_spec.description
        unit.tasks, unit.source, unit.position = unit_spec.tasks, unit_spec.source, position
        session.add(unit)
        units[unit_spec.slug] = unit
    session.flush()
    for unit_spec in spec.units:
        parent = units[unit_spec.parent] if unit_spec.parent else None
        units[unit_spec.slug].parent_id = parent.id if parent else None
    session.flush()
    return units


def _write_figures(session: Session, parsed: ParsedFile, units: dict[str, Unit]) -> None:
    spec = parsed.spec
    for unit_spec in spec.units:
        default_source = unit_spec.source or spec.source
        for category, figure in unit_spec.figures.items():
            session.add(
                UnitFigure(
                    unit_id=units[unit_spec.slug].id,
                    category=category,
                    period=figure.period or spec.period,
                    value=figure.value,
                    source=figure.source or default_source,
                    note=figure.note,
                    assumption=figure.assumption,
                    dataset=spec.dataset,
                )
            )
    for extra in spec.figures:
        session.add(
            UnitFigure(
                unit_id=units[extra.unit].id,
                category=extra.category,
                period=extra.period or spec.period,
                value=extra.value,
                source=extra.source or spec.source,
                note=extra.note,
                assumption=extra.assumption,
                dataset=spec.dataset,
            )
        )
    session.flush()


def _write_totals(session: Session, parsed: ParsedFile, units: dict[str, Unit]) -> list[str]:
    """Store each published total with the sum of its rows; report where they differ."""
    spec = parsed.spec
    session.execute(delete(PublishedTotal).where(PublishedTotal.dataset == spec.dataset))
    values = {
        (f.unit_id, f.category, f.period): f.value for f in session.scalars(select(UnitFigure))
    }
    by_id = {u.id: u for u in units.values()}
    differences: list[str] = []
    for total in spec.totals:
        period = total.period or spec.period
        rows = list(total.rows or [])
        if total.children_of is not None:
            parent_id = units[total.children_of].id
            rows = [
                u.slug
                for u in sorted(by_id.values(), key=lambda u: u.position)
                if u.parent_id == parent_id and total.of_kind in (None, u.kind)
            ]
        computed: float | None = None
        if total.rows is not None or total.children_of is not None:
            if total.category == "aantal":
                computed = float(len(rows))
            else:  # a row without the figure counts as 0 (e.g. "-" in the source)
                computed = round(
                    sum(values.get((units[r].id, total.category, period), 0.0) for r in rows), 6
                )
            if abs(computed - total.published) > 1e-6:
                differences.append(
                    _(
                        "{label}: gepubliceerd {published}, de rijen tellen op tot {computed} "
                        "(verschil {difference})",
                        label=total.label,
                        published=number(total.published, _decimals(total.published)),
                        computed=number(computed, _decimals(computed)),
                        difference=("+" if computed > total.published else "")
                        + number(computed - total.published, 1),
                    )
                )
        session.add(
            PublishedTotal(
                dataset=spec.dataset,
                label=total.label,
                category=total.category,
                period=period,
                published=total.published,
                computed=computed,
                unit_id=units[total.children_of].id if total.children_of else None,
                rows=rows,
                source=total.source or spec.source,
                note=total.note,
            )
        )
    return differences


def _write_links(session: Session, parsed: ParsedFile, units: dict[str, Unit]) -> None:
    """Coverage, authorities and partnerships are replaced as a whole for the dataset."""
    spec, name = parsed.spec, parsed.spec.dataset
    for model in (Coverage, Authority):
        session.execute(delete(model).where(model.dataset == name))
    session.flush()
    session.add_all(
        Coverage(
            unit_id=units[c.unit].id,
            gemeente_code=c.gemeente,
            share=c.share,
            lat=c.lat,
            lon=c.lon,
            source=c.source,
            assumption=c.assumption,
            dataset=name,
        )
        for c in spec.coverage
    )
    session.add_all(
        Authority(
            name=a.name,
            role=a.role,
            unit_id=units[a.unit].id if a.unit else None,
            gemeente_code=a.gemeente,
            published_as=a.published_as,
            regioburgemeester=a.regioburgemeester,
            rvo=a.rvo,
            note=a.note,
            source=a.source or spec.source,
            dataset=name,
        )
        for a in spec.authorities
    )
    replace_partnerships(
        session,
        dataset=name,
        rows=[
            PartnershipRow(
                slug=p.slug,
                name=p.name,
                kind=p.kind,
                code=p.code,
                source=p.source or spec.source,
                assumption=p.assumption,
                members=tuple(p.members) + tuple(_eenheid_members(session, p.members_of_eenheid)),
            )
            for p in spec.partnerships
        ],
    )
    session.flush()


def _eenheid_members(session: Session, region_code: str | None) -> list[str]:
    if region_code is None:
        return []
    query = select(Gemeente.code).where(Gemeente.politie_eenheid_code == region_code)
    return list(session.scalars(query))


def _decimals(value: float) -> int:
    """As many decimals as a published figure has (0, 1 or 2)."""
    return next((d for d in (0, 1) if round(value, d) == round(value, 6)), 2)
