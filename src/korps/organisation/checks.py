"""Checks of a parsed dataset against itself and the database, before anything is written."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.common.datafile import Problem
from korps.common.formatting import number
from korps.common.i18n import _
from korps.organisation.datafile import ParsedFile
from korps.organisation.models import Dataset, Gemeente, Partnership, Unit

SHARE_TOLERANCE = 1e-6


@dataclass
class KnownUnit:
    """A unit as the checks see it: from this file or already in the database."""

    slug: str
    kind: str
    parent: str | None
    dataset: str
    region_code: str | None = None


@dataclass
class Context:
    """What the database already holds that the file refers to."""

    units: dict[str, KnownUnit] = field(default_factory=dict)
    gemeenten: dict[str, str] = field(default_factory=dict)  # code -> politie_eenheid_code
    datasets: set[str] = field(default_factory=set)
    partnership_owner: dict[str, str] = field(default_factory=dict)


def read_context(session: Session) -> Context:
    context = Context()
    parent_slug = {u.id: u.slug for u in session.scalars(select(Unit))}
    for unit in session.scalars(select(Unit)):
        context.units[unit.slug] = KnownUnit(
            slug=unit.slug,
            kind=unit.kind,
            parent=parent_slug.get(unit.parent_id) if unit.parent_id else None,
            dataset=unit.dataset,
            region_code=unit.region_code,
        )
    context.gemeenten = {
        code: region
        for code, region in session.execute(select(Gemeente.code, Gemeente.politie_eenheid_code))
    }
    context.datasets = set(session.scalars(select(Dataset.name)))
    context.partnership_owner = {
        slug: owner
        for slug, owner in session.execute(select(Partnership.slug, Partnership.dataset))
    }
    return context


def merged_units(parsed: ParsedFile, context: Context) -> dict[str, KnownUnit]:
    """The database's units as they will be once this file is loaded."""
    name = parsed.spec.dataset
    units = {slug: u for slug, u in context.units.items() if u.dataset != name}
    for spec in parsed.spec.units:
        units.setdefault(
            spec.slug, KnownUnit(spec.slug, spec.kind, spec.parent, name, spec.region_code)
        )
    return units


def check_units(parsed: ParsedFile, context: Context) -> list[Problem]:
    spec, name = parsed.spec, parsed.spec.dataset
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, unit in enumerate(spec.units):
        if unit.slug in seen:
            problems.append(
                parsed.problem(
                    ("units", i, "slug"),
                    _(
                        "dubbele slug {slug} (ook units[{other}])",
                        slug=repr(unit.slug),
                        other=seen[unit.slug],
                    ),
                )
            )
        seen.setdefault(unit.slug, i)
        owner = context.units.get(unit.slug)
        if owner is not None and owner.dataset != name:
            problems.append(
                parsed.problem(
                    ("units", i, "slug"),
                    _(
                        "dubbele slug {slug}: al gedefinieerd door dataset {owner}",
                        slug=repr(unit.slug),
                        owner=repr(owner.dataset),
                    ),
                )
            )
    units = merged_units(parsed, context)
    for i, unit in enumerate(spec.units):
        if unit.parent is not None and unit.parent not in units:
            problems.append(
                parsed.problem(
                    ("units", i, "parent"), _("onbekende ouder {parent}", parent=repr(unit.parent))
                )
            )
    problems += _check_cycles(parsed, units)
    return problems


def _check_cycles(parsed: ParsedFile, units: dict[str, KnownUnit]) -> list[Problem]:
    problems = []
    for i, unit in enumerate(parsed.spec.units):
        seen = {unit.slug}
        parent = unit.parent
        while parent is not None and parent in units:
            if parent in seen:
                problems.append(
                    parsed.problem(
                        ("units", i, "parent"),
                        _("{slug} is zijn eigen voorouder", slug=repr(unit.slug)),
                    )
                )
                break
            seen.add(parent)
            parent = units[parent].parent
    return problems


def check_references(parsed: ParsedFile, context: Context) -> list[Problem]:
    """Figures, totals, coverage, authorities and partnerships must name what exists."""
    spec = parsed.spec
    units = merged_units(parsed, context)
    problems: list[Problem] = []

    def need_unit(loc: tuple[str | int, ...], slug: str | None) -> None:
        if slug is not None and slug not in units:
            problems.append(parsed.problem(loc, _("onbekende eenheid {slug}", slug=repr(slug))))

    def need_gemeente(loc: tuple[str | int, ...], code: str | None) -> None:
        if code is not None and code not in context.gemeenten:
            problems.append(
                parsed.problem(
                    loc,
                    _("onbekende gemeente {code} (is `gemeenten` geladen?)", code=repr(code)),
                )
            )

    for i, figure in enumerate(spec.figures):
        need_unit(("figures", i, "unit"), figure.unit)
    for i, total in enumerate(spec.totals):
        for j, row in enumerate(total.rows or []):
            need_unit(("totals", i, "rows", j), row)
        need_unit(("totals", i, "children_of"), total.children_of)
        if total.rows is not None and total.children_of is not None:
            problems.append(
                parsed.problem(("totals", i), _("geef `rows` of `children_of`, niet beide"))
            )
    for i, cover in enumerate(spec.coverage):
        need_unit(("coverage", i, "unit"), cover.unit)
        need_gemeente(("coverage", i, "gemeente"), cover.gemeente)
        if cover.source is None and cover.assumption is None:
            problems.append(
                parsed.problem(("coverage", i), "give a `source` or an `assumption` with a reason")
            )
    for i, person in enumerate(spec.authorities):
        need_unit(("authorities", i, "unit"), person.unit)
        need_gemeente(("authorities", i, "gemeente"), person.gemeente)
    owners = context.partnership_owner
    for i, partnership in enumerate(spec.partnerships):
        owner = owners.get(partnership.slug)
        if owner is not None and owner != spec.dataset:
            problems.append(
                parsed.problem(
                    ("partnerships", i, "slug"),
                    _(
                        "dubbele slug {slug}: al gedefinieerd door dataset {owner}",
                        slug=repr(partnership.slug),
                        owner=repr(owner),
                    ),
                )
            )
        for j, code in enumerate(partnership.members):
            need_gemeente(("partnerships", i, "members", j), code)
    problems += _check_duplicates(parsed)
    return problems


def _check_duplicates(parsed: ParsedFile) -> list[Problem]:
    spec = parsed.spec
    problems: list[Problem] = []
    keys: Counter[tuple[str, str, str]] = Counter()
    for unit in spec.units:
        for category, figure in unit.figures.items():
            keys[(unit.slug, category, figure.period or spec.period)] += 1
    for i, extra in enumerate(spec.figures):
        key = (extra.unit, extra.category, extra.period or spec.period)
        keys[key] += 1
        if keys[key] > 1:
            problems.append(
                parsed.problem(
                    ("figures", i),
                    _(
                        "dubbel cijfer {category} van {unit}",
                        category=repr(extra.category),
                        unit=repr(extra.unit),
                    ),
                )
            )
    pairs: Counter[tuple[str, str]] = Counter()
    for i, cover in enumerate(spec.coverage):
        pairs[(cover.unit, cover.gemeente)] += 1
        if pairs[(cover.unit, cover.gemeente)] > 1:
            problems.append(
                parsed.problem(("coverage", i), f"{cover.unit} covers {cover.gemeente} twice")
            )
    slugs = Counter(p.slug for p in spec.partnerships)
    problems += [
        parsed.problem(("partnerships", i, "slug"), _("dubbele slug {slug}", slug=repr(p.slug)))
        for i, p in enumerate(spec.partnerships)
        if slugs[p.slug] > 1
    ]
    return problems


def check_coverage(parsed: ParsedFile, context: Context) -> tuple[list[Problem], list[str]]:
    """Shares add to 1 per municipality; an eenheid's teams cover exactly its municipalities."""
    spec = parsed.spec
    problems: list[Problem] = []
    messages: list[str] = []
    shares: dict[str, float] = defaultdict(float)
    first: dict[str, int] = {}
    for i, cover in enumerate(spec.coverage):
        shares[cover.gemeente] += cover.share
        first.setdefault(cover.gemeente, i)
    for code, total in shares.items():
        if abs(total - 1.0) > SHARE_TOLERANCE:
            problems.append(
                parsed.problem(
                    ("coverage", first[code]),
                    _(
                        "de aandelen van {code} tellen op tot {total}, niet 1",
                        code=code,
                        total=number(total, 4),
                    ),
                )
            )
    units = merged_units(parsed, context)

    def eenheid_of(slug: str) -> KnownUnit | None:
        node: KnownUnit | None = units.get(slug)
        while node is not None and node.region_code is None:
            node = units.get(node.parent) if node.parent else None
        return node

    covered: dict[str, set[str]] = defaultdict(set)
    regions: dict[str, str] = {}
    for i, cover in enumerate(spec.coverage):
        eenheid = eenheid_of(cover.unit)
        if eenheid is None or eenheid.region_code is None:
            continue
        regions[eenheid.slug] = eenheid.region_code
        covered[eenheid.slug].add(cover.gemeente)
        region = context.gemeenten.get(cover.gemeente)
        if region is not None and region != eenheid.region_code:
            problems.append(
                parsed.problem(
                    ("coverage", i, "gemeente"),
                    _(
                        "{gemeente} ligt in politie-eenheid {region}, niet in {slug} ({code})",
                        gemeente=cover.gemeente,
                        region=region,
                        slug=eenheid.slug,
                        code=eenheid.region_code,
                    ),
                )
            )
    for slug, codes in covered.items():
        expected = {c for c, r in context.gemeenten.items() if r == regions[slug]}
        missing = sorted(expected - codes)
        if missing:
            problems.append(
                parsed.problem(
                    ("coverage",),
                    _(
                        "{slug} ({code}) heeft {count} gemeenten; geen basisteam dekt {missing}",
                        slug=slug,
                        code=regions[slug],
                        count=len(expected),
                        missing=", ".join(missing),
                    ),
                )
            )
        else:
            messages.append(
                _(
                    "{slug} ({code}): de basisteams dekken alle {count} gemeenten",
                    slug=slug,
                    code=regions[slug],
                    count=len(expected),
                )
            )
    return problems, messages


def check_requires(parsed: ParsedFile, context: Context) -> list[Problem]:
    return [
        parsed.problem(
            ("requires", i),
            _(
                "vereist dataset {name}: laad die eerst (korps load {plain})",
                name=repr(name),
                plain=name,
            ),
        )
        for i, name in enumerate(parsed.spec.requires)
        if name not in context.datasets and name != parsed.spec.dataset
    ]
