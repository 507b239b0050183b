"""The one router of the planning pages (list, scenario, versions, the form): every route a
planner's, registered in order by ``korps.planning.pages``."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from korps.identity.deps import require

router = APIRouter(include_in_schema=False, dependencies=[Depends(require("planner"))])
