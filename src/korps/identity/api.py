"""JSON API of identity: who am I (with the token's or the session's roles)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from korps.identity.deps import CurrentUser

router = APIRouter(tags=["identity"])


class GrantOut(BaseModel):
    role: str
    unit: str | None


class MeOut(BaseModel):
    username: str
    name: str
    kind: str
    via: str
    grants: list[GrantOut]


@router.get("/me")
def me(user: CurrentUser) -> MeOut:
    """The caller and the roles this request carries (an API token carries one)."""
    return MeOut(
        username=user.username,
        name=user.name,
        kind=user.kind,
        via=user.via,
        grants=[GrantOut(role=s.role, unit=s.unit_slug) for s in user.scopes],
    )
