"""Users (staff and citizens), their role grants on the organisation tree, server-side
sessions, API tokens, single-use tokens (password reset) and recovery codes.

Secrets are never stored: sessions, API tokens, reset tokens and recovery codes are kept
as SHA-256 digests of the random value the user holds; passwords as Argon2id hashes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from korps.db.base import Base

USERNAME_MAX = 80
NAME_MAX = 200
EMAIL_MAX = 254
ROLE_MAX = 20
DIGEST_MAX = 64  # hex SHA-256
HASH_MAX = 200  # an Argon2id PHC string is about 100 characters
TOTP_MAX = 64
ADDRESS_MAX = 64
AGENT_MAX = 200
TOKEN_NAME_MAX = 100
LOCALE_MAX = 5  # "nl", "en" (korps.common.i18n.LOCALES)
PURPOSE_MAX = 20


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX), unique=True)
    kind: Mapped[str] = mapped_column(String(ROLE_MAX))  # medewerker (staff) | burger
    password_hash: Mapped[str | None] = mapped_column(String(HASH_MAX))  # None: SSO only
    totp_secret: Mapped[str | None] = mapped_column(String(TOTP_MAX))
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # a code is used once
    oidc_subject: Mapped[str | None] = mapped_column(String(NAME_MAX), unique=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: the account's language: pages after login and every e-mail to the user (None: Dutch)
    locale: Mapped[str | None] = mapped_column(String(LOCALE_MAX))

    grants: Mapped[list[Grant]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="Grant.id"
    )


class Grant(Base):
    """A role on a unit of the tree; it covers the unit's whole subtree. ``unit_id`` is None
    only for the role ``burger`` (a citizen sees their own dossiers, not a unit)."""

    __tablename__ = "role_grant"
    __table_args__ = (Index("ix_role_grant_user", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(ROLE_MAX))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(ROLE_MAX), default="handmatig")  # | oidc (SSO)

    user: Mapped[User] = relationship(back_populates="grants")


class LoginSession(Base):
    """A browser session; the cookie holds a random value, this row its digest."""

    __tablename__ = "login_session"
    __table_args__ = (Index("ix_login_session_user", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(DIGEST_MAX), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    address: Mapped[str] = mapped_column(String(ADDRESS_MAX))
    agent: Mapped[str] = mapped_column(String(AGENT_MAX))
    # set after the password when TOTP is still to be given (or enrolled): the session
    # then opens nothing but the TOTP step
    pending: Mapped[str | None] = mapped_column(String(PURPOSE_MAX))


class ApiToken(Base):
    """A personal API token, scoped to one of the user's grants; shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(DIGEST_MAX), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    grant_id: Mapped[int] = mapped_column(ForeignKey("role_grant.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(TOKEN_NAME_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OneTimeToken(Base):
    """A single-use, expiring token sent by e-mail (purpose ``reset``: set a new password)."""

    __tablename__ = "one_time_token"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(DIGEST_MAX), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(PURPOSE_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RecoveryCode(Base):
    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(DIGEST_MAX))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginFailure(Base):
    """A failed login by client address, for throttling per address (per account the
    counter sits on the user)."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_address_at", "address", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(ADDRESS_MAX))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


OIDC_VALUE_MAX = 128  # state and nonce are 32 characters, the code verifier 64
TARGET_MAX = 500  # the local path to go to after the login


class OidcLogin(Base):
    """A login started at the OpenID Connect provider, until its callback (or 10 minutes):
    the browser holds a random handle, this row its digest and what the callback needs (the
    PKCE code verifier never leaves the server). Used once: the callback deletes it."""

    __tablename__ = "oidc_login"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(DIGEST_MAX), unique=True)
    state: Mapped[str] = mapped_column(String(OIDC_VALUE_MAX))
    nonce: Mapped[str] = mapped_column(String(OIDC_VALUE_MAX))
    code_verifier: Mapped[str] = mapped_column(String(OIDC_VALUE_MAX))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    volgende: Mapped[str] = mapped_column(String(TARGET_MAX))  # local path after the login


class LinkRequest(Base):
    """A request for an e-mailed login link, by client address: at most a few per address
    in a quarter of an hour (``korps.identity.magiclink``); rows older than an hour go."""

    __tablename__ = "login_link_request"
    __table_args__ = (Index("ix_login_link_request_address_at", "address", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    address: Mapped[str] = mapped_column(String(ADDRESS_MAX))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
