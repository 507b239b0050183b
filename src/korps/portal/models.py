"""Tables of the citizen portal: dossiers (aangifte/melding), their goods and their timeline
(status changes, messages both ways, added information, routing and assignment)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from korps.db.base import Base

NUMBER_MAX = 20
CODE_MAX = 40
CHANNEL_MAX = 20
ADDRESS_MAX = 200
TEXT_MAX = 5000  # what happened, a message, a decision
GOOD_MAX = 200
IDENTIFIER_MAX = 60
RULE_MAX = 40
REASON_MAX = 300
FORWARD_MAX = 200
GOODS_MAX = 20  # goods per dossier


class Dossier(Base):
    __tablename__ = "portal_dossier"
    __table_args__ = (
        Index("ix_portal_dossier_reporter", "reporter_id"),
        Index("ix_portal_dossier_team", "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(NUMBER_MAX), unique=True)
    kind: Mapped[str] = mapped_column(String(CODE_MAX))  # aangifte | melding
    category: Mapped[str] = mapped_column(String(CODE_MAX))
    channel: Mapped[str] = mapped_column(String(CHANNEL_MAX))  # online | balie | 0900-8844 | 101
    status: Mapped[str] = mapped_column(String(CODE_MAX))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="RESTRICT"))
    team_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeente.code", ondelete="RESTRICT"))
    address: Mapped[str | None] = mapped_column(String(ADDRESS_MAX))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(TEXT_MAX))
    route_rule: Mapped[str] = mapped_column(String(RULE_MAX))
    route_reason: Mapped[str] = mapped_column(String(REASON_MAX))
    deadline: Mapped[date] = mapped_column(Date)
    question: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    answer_due: Mapped[date | None] = mapped_column(Date)
    forwarded_to: Mapped[str | None] = mapped_column(String(FORWARD_MAX))
    decision: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    goods: Mapped[list[Good]] = relationship(
        back_populates="dossier", cascade="all, delete-orphan", order_by="Good.id"
    )


class Good(Base):
    """A stolen, damaged, lost or found good: what, its value and an identifier (frame
    number, serial number)."""

    __tablename__ = "portal_good"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("portal_dossier.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(String(GOOD_MAX))
    value_eur: Mapped[float | None] = mapped_column(Float)
    identifier: Mapped[str | None] = mapped_column(String(IDENTIFIER_MAX), index=True)

    dossier: Mapped[Dossier] = relationship(back_populates="goods")


class Entry(Base):
    """One line of a dossier's timeline. ``kind``: status, bericht (a message), vraag (a
    question to the citizen), antwoord, aanvulling (information the citizen adds),
    toewijzing, routering. ``side`` says who wrote it: burger, team or systeem.
    ``public`` entries are what the citizen sees."""

    __tablename__ = "portal_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("portal_dossier.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(CODE_MAX))
    side: Mapped[str] = mapped_column(String(CODE_MAX))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    status_from: Mapped[str | None] = mapped_column(String(CODE_MAX))
    status_to: Mapped[str | None] = mapped_column(String(CODE_MAX))
    text: Mapped[str | None] = mapped_column(String(TEXT_MAX))
    public: Mapped[bool] = mapped_column(default=True)


FILENAME_MAX = 200
MIME_MAX = 40
DIGEST_MAX = 64


class Attachment(Base):
    """A file added to a dossier. The bytes live outside the database, under their SHA-256
    (``korps.portal.attachments``); this row says whose, what type and how big."""

    __tablename__ = "portal_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("portal_dossier.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(FILENAME_MAX))
    content_type: Mapped[str] = mapped_column(String(MIME_MAX))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(DIGEST_MAX))
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


FEEDBACK_MAX = 2000


class Feedback(Base):
    """The citizen's answer to the short questionnaire after closing (one per dossier): the
    measurement behind "tevredenheid over laatste contact met politie bij aangifte"."""

    __tablename__ = "portal_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("portal_dossier.id", ondelete="CASCADE"), unique=True
    )
    satisfied: Mapped[bool] = mapped_column()
    score: Mapped[int] = mapped_column(Integer)  # 1 to 5
    text: Mapped[str | None] = mapped_column(String(FEEDBACK_MAX))
    reopen_requested: Mapped[bool] = mapped_column(default=False)
    team_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    category: Mapped[str] = mapped_column(String(CODE_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DossierIncident(Base):
    """The control-room incident a dossier was opened from (issue 16.2): one dossier per
    incident (the unique key makes opening it twice return the first)."""

    __tablename__ = "portal_dossier_incident"

    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("portal_dossier.id", ondelete="CASCADE"), primary_key=True
    )
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incident.id", ondelete="RESTRICT"), unique=True
    )
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


LEVEL_MAX = 20
PHONE_MAX = 30
REFERENCE_MAX = 60


class Assessment(Base):
    """The individual assessment (IB, directive 2012/29/EU art. 22) of the victim in a
    dossier: the answers, the points and level the rule table gives, and the advised
    protection measures (``korps.portal.assessment``). One per dossier; each revision raises
    ``version`` and is audited with the values before and after."""

    __tablename__ = "portal_assessment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("portal_dossier.id", ondelete="CASCADE"), unique=True
    )
    answers: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    points: Mapped[int] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(LEVEL_MAX))
    measures: Mapped[list[str]] = mapped_column(JSON, default=list)
    side: Mapped[str] = mapped_column(String(CODE_MAX))  # burger | team
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    # ``dossier.assessment`` for the templates; the database deletes it with its dossier
    dossier: Mapped[Dossier] = relationship(
        backref=backref("assessment", uselist=False, passive_deletes=True)
    )


class RequestDetail(Base):
    """What a request (verzoek: house watch, contact with the wijkagent, follow-up contact
    after an intervention) adds to its dossier: the period away, how to be reached, and the
    intervention it refers to (``korps.portal.requests``)."""

    __tablename__ = "portal_request"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("portal_dossier.id", ondelete="CASCADE"), unique=True
    )
    away_from: Mapped[date | None] = mapped_column(Date)
    away_until: Mapped[date | None] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(PHONE_MAX))
    contact_by: Mapped[str | None] = mapped_column(String(CODE_MAX))
    reference: Mapped[str | None] = mapped_column(String(REFERENCE_MAX))

    # ``dossier.request_detail`` for the templates; the database deletes it with its dossier
    dossier: Mapped[Dossier] = relationship(
        backref=backref("request_detail", uselist=False, passive_deletes=True)
    )
