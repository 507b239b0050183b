"""The individual assessment (IB) of a victim's protection needs, after directive
2012/29/EU art. 22: yes/no questions on the victim's personal characteristics, the nature
of the crime and its circumstances, scored by the rule table of ``datasets/portal-ib.yaml``
into a level (laag, verhoogd, hoog) and the advised protection measures. An answer may
presume a level whatever the points (a child victim: hoog, art. 22(4)).

The citizen fills it in from their own dossier while it is open; staff of the dossier's
team complete or revise it at any time. Every save is audited with the values before and
after; the level is on the dossier's (non-public) timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import Field, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from korps.audit.service import record
from korps.common.datafile import read_document
from korps.identity.roles import Principal
from korps.portal.errors import PortalInputError
from korps.portal.models import Assessment, Dossier, Entry
from korps.portal.places import resolve_place
from korps.portal.reference import Code, PortalReference, _Sourced, _Strict, portal_reference
from korps.portal.routing import Facts, matches, route_by_rule
from korps.portal.service import ENTITY, utc_now

YES, NO = "ja", "nee"


class Section(_Strict):
    code: Code
    name: str = Field(min_length=1, max_length=100)


class Question(_Sourced):
    code: Code
    section: Code
    text: str = Field(min_length=1, max_length=300)
    points: int = Field(ge=0, le=20)


class Level(_Sourced):
    code: Code
    name: str = Field(min_length=1, max_length=100)
    min_points: int = Field(ge=0, le=500)


class Presumption(_Sourced):
    question: Code
    level: Code


class When(_Strict):
    min_level: Code | None = None
    any_of: list[Code] | None = None


class Measure(_Sourced):
    code: Code
    name: str = Field(min_length=1, max_length=100)
    text: str = Field(min_length=1, max_length=300)
    when: When


class RuleTable(_Strict):
    dataset: str = Field(pattern="^portal-ib$")
    title: str
    source: str | None = None
    sections: list[Section] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
    levels: list[Level] = Field(min_length=1)
    presumed: list[Presumption] = Field(default_factory=list)
    measures: list[Measure] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> RuleTable:
        sections = {s.code for s in self.sections}
        questions = [q.code for q in self.questions]
        levels = [lv.code for lv in self.levels]
        for name, codes in (("questions", questions), ("levels", levels),
                            ("measures", [m.code for m in self.measures])):  # fmt: skip
            doubles = sorted({c for c in codes if codes.count(c) > 1})
            if doubles:
                raise ValueError(f"{name}: duplicate code(s) {', '.join(doubles)}")
        for question in self.questions:
            if question.section not in sections:
                raise ValueError(f"question {question.code}: unknown section {question.section}")
        bounds = [lv.min_points for lv in self.levels]
        if bounds[0] != 0 or bounds != sorted(set(bounds)):
            raise ValueError("levels: min_points rising from 0, lowest level first")
        for p in self.presumed:
            if p.question not in questions or p.level not in levels:
                raise ValueError(f"presumed: unknown question or level ({p.question}, {p.level})")
        for m in self.measures:
            unknown = set(m.when.any_of or []) - set(questions)
            if unknown or (m.when.min_level and m.when.min_level not in levels):
                raise ValueError(f"measure {m.code}: unknown question or level in when")
        return self

    def rank(self, level: str) -> int:
        return [lv.code for lv in self.levels].index(level)

    def level(self, code: str) -> Level:
        return self.levels[self.rank(code)]

    def measure(self, code: str) -> Measure | None:
        return next((m for m in self.measures if m.code == code), None)


def bundled_path() -> Path:
    return Path(str(resources.files("korps") / "datasets" / "portal-ib.yaml"))


def load_rules(path: Path) -> RuleTable:
    """Read and validate a rule table; DatasetError naming file, line and path."""
    return read_document(path, RuleTable)


@lru_cache
def rule_table() -> RuleTable:
    return load_rules(bundled_path())


@dataclass(frozen=True)
class Score:
    points: int
    level: str
    measures: list[str]
    reasons: list[str]  # why the level is what it is (points, presumptions)


def score(answers: dict[str, bool], *, rules: RuleTable) -> Score:
    """Points of the yes answers, the level they reach or an answer presumes (the higher),
    and the measures whose conditions hold. Pure."""
    points = sum(q.points for q in rules.questions if answers.get(q.code))
    by_points = max(
        (lv for lv in rules.levels if points >= lv.min_points), key=lambda lv: lv.min_points
    )
    level = by_points.code
    reasons = [f"{points} punten: {by_points.name.lower()}"]
    for presumption in rules.presumed:
        if answers.get(presumption.question) and rules.rank(presumption.level) > rules.rank(level):
            level = presumption.level
            reasons.append(f"vermoed: {rules.level(level).name.lower()} ({presumption.question})")
    measures = []
    for measure in rules.measures:
        when = measure.when
        if when.min_level and rules.rank(level) < rules.rank(when.min_level):
            continue
        if when.any_of and not any(answers.get(code) for code in when.any_of):
            continue
        measures.append(measure.code)
    return Score(points=points, level=level, measures=measures, reasons=reasons)


def check_answers(form: dict[str, str], *, rules: RuleTable) -> dict[str, bool]:
    """Every question answered ja or nee; PortalInputError naming each one that is not."""
    missing = {
        q.code: "beantwoord deze vraag met ja of nee"
        for q in rules.questions
        if form.get(q.code) not in (YES, NO)
    }
    if missing:
        raise PortalInputError(missing)
    return {q.code: form[q.code] == YES for q in rules.questions}


def of_dossier(session: Session, *, dossier: Dossier) -> Assessment | None:
    return session.scalar(select(Assessment).where(Assessment.dossier_id == dossier.id))


def save(
    session: Session,
    *,
    principal: Principal,
    dossier: Dossier,
    answers: dict[str, bool],
    side: str,
    now: datetime | None = None,
    rules: RuleTable | None = None,
) -> Assessment:
    """Record (or revise) the dossier's assessment from checked answers; audited with the
    values before and after, the level on the staff timeline. The caller commits."""
    rules = rules or rule_table()
    now = now or utc_now()
    result = score(answers, rules=rules)
    found = of_dossier(session, dossier=dossier)
    before = (
        {"level": found.level, "points": found.points, "measures": found.measures,
         "answers": found.answers, "version": found.version}
        if found is not None else None
    )  # fmt: skip
    if found is None:
        found = Assessment(dossier_id=dossier.id, created_at=now, version=1)
        session.add(found)
    else:
        found.version += 1
    found.answers = dict(answers)
    found.points = result.points
    found.level = result.level
    found.measures = list(result.measures)
    found.side = side
    found.author_id = principal.user_id
    found.updated_at = now
    session.flush()
    label = rules.level(result.level).name
    session.add(
        Entry(dossier_id=dossier.id, at=now, kind="beoordeling", side=side,
              author_id=principal.user_id, public=False,
              text=f"individuele beoordeling (versie {found.version}): {label}"[:200])
    )  # fmt: skip
    record(
        session,
        entity=ENTITY,
        entity_id=dossier.id,
        action="individuele beoordeling vastgelegd" if before is None else
        "individuele beoordeling herzien",
        before=before,
        after={"level": found.level, "points": found.points, "measures": found.measures,
               "answers": found.answers, "version": found.version, "side": side},
    )  # fmt: skip
    reroute(session, dossier=dossier, level=found.level, now=now)
    return found


def reroute(
    session: Session,
    *,
    dossier: Dossier,
    level: str,
    now: datetime,
    reference: PortalReference | None = None,
) -> bool:
    """A dossier nobody has picked up yet (status ontvangen, not forwarded) moves to the
    unit of the first routing rule on the assessment's level that matches (``ib_levels``
    in ``datasets/portal.yaml``); on the timeline and audited. True when it moved."""
    reference = reference or portal_reference()
    if dossier.status != reference.statuses[0].code or dossier.route_rule == "doorgezet":
        return False
    facts = Facts(
        category=dossier.category,
        total_value_eur=sum(g.value_eur or 0.0 for g in dossier.goods),
        identifiers=(),
        ib_level=level,
    )
    rule = next(
        (r for r in reference.routing
         if r.when.ib_levels is not None and matches(r, facts, session=session, now=now)),
        None,
    )  # fmt: skip
    if rule is None or rule.name == dossier.route_rule:
        return False
    place = resolve_place(session, gemeente=dossier.gemeente_code, lat=dossier.lat, lon=dossier.lon)
    where = route_by_rule(session, rule=rule, place=place)
    if where.team_id == dossier.team_id:
        return False
    before = {"team_id": dossier.team_id, "rule": dossier.route_rule}
    dossier.team_id, dossier.route_rule, dossier.route_reason = (
        where.team_id, where.rule, where.reason
    )  # fmt: skip
    dossier.assignee_id = None
    dossier.updated_at = now
    session.add(Entry(dossier_id=dossier.id, at=now, kind="routering", side="systeem",
                      text=where.reason, public=False))  # fmt: skip
    record(session, entity=ENTITY, entity_id=dossier.id,
           action="herrouteerd na individuele beoordeling", before=before,
           after={"team_id": where.team_id, "rule": where.rule})  # fmt: skip
    return True
