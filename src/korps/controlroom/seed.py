"""Seed units for a regional unit: ``per_basisteam`` units of a kind in every basisteam that
is an area (covers a municipality). Call signs ``<PREFIX>-<basisteam code>-<nn>``, e.g.
``RT-D1-01``. Seeding again adds nothing that exists."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.controlroom import schemas
from korps.controlroom.areas import areas_for, get_eenheid
from korps.controlroom.models import PatrolUnit
from korps.controlroom.units import create_unit
from korps.organisation.models import Unit

VOWELS = set("AEIOU")


def default_prefix(name: str) -> str:
    """Two letters for a unit's name: initials of two words (Oost-Nederland: ON, Den Haag:
    DH), else the first letter and the first consonant after it (Rotterdam: RT)."""
    words = [w for w in re.split(r"[\s-]+", name.upper()) if w and w != "EENHEID"]
    if len(words) >= 2:
        return words[0][0] + words[1][0]
    word = re.sub(r"[^A-Z]", "", words[0] if words else "X") or "X"
    rest = next((c for c in word[1:] if c not in VOWELS), word[-1])
    return word[0] + rest


def team_code(unit: Unit) -> str:
    if unit.code:
        return re.sub(r"[^A-Z0-9]", "", unit.code.upper()) or str(unit.id)
    return re.sub(r"[^A-Z0-9]", "", unit.slug.split("-")[-1].upper())[:6] or str(unit.id)


def seed_units(
    session: Session,
    *,
    eenheid: str,
    per_basisteam: int,
    kind: str = "noodhulp",
    status: schemas.UnitStatus = "beschikbaar",
    prefix: str | None = None,
    actor: str = "seed",
) -> schemas.SeedReport:
    root = get_eenheid(session, slug=eenheid)
    areas = areas_for(session, eenheid=root)
    prefix = (prefix or default_prefix(root.name)).upper()
    basisteams = session.scalars(
        select(Unit).where(
            Unit.path.startswith(root.path, autoescape=True), Unit.kind == "basisteam"
        )
    ).all()
    by_id = {u.id: u for u in basisteams}
    existing_signs = set(session.scalars(select(PatrolUnit.call_sign)))
    report = schemas.SeedReport(
        eenheid=root.slug,
        created=[],
        existing=[],
        skipped_basisteams=sorted(u.slug for u in basisteams if u.id not in areas.index),
    )
    for unit_id in areas.unit_ids:
        team = by_id[unit_id]
        for n in range(1, per_basisteam + 1):
            call_sign = f"{prefix}-{team_code(team)}-{n:02d}"
            if call_sign in existing_signs:
                report.existing.append(call_sign)
                continue
            data = schemas.UnitIn(
                call_sign=call_sign, basisteam=team.slug, kind=kind, status=status
            )
            create_unit(session, data=data, actor=actor)
            report.created.append(call_sign)
    return report
