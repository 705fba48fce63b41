"""The pre-session brief: what the learner shared since the last session, for their coach.

The rules are here: a coach asks, the agent writes from the material (gathered in
material.py, through the rules of `access`), the composer stands in when the model fails, and
the run is stored with its audit record. Each point cites the answers, messages, entries,
feedback and alerts it uses.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.brief import Brief, BriefRequest, draft_brief
from app.db.models import AgentRun
from app.db.models.enums import Role, RunStatus
from app.domain import access, audit
from app.domain.agents.executor import Failure, model_name, run_agent
from app.domain.agents.runtime import AgentRuntime
from app.domain.briefs.material import brief_request
from app.lib.errors import NotFound, Unavailable
from app.lib.identity import Identity

BRIEF = "brief"
RETRY_AFTER_S = 30


async def _failed(db: AsyncSession, identity: Identity, learner_id: UUID, failure: Failure) -> None:
    """The failed run is recorded, and committed now: the error answer rolls back the rest."""
    db.add(
        failure.failed_run(
            identity.organization_id, learner_id=learner_id, requested_by_id=identity.user_id
        )
    )
    await db.commit()


def brief_content(brief: Brief, request: BriefRequest) -> dict[str, Any]:
    """The brief as stored and served: each point with what it cites (answer, message,
    journal entry, or alert: an escalation the coach may open in the escalations API)."""
    kinds = {e.id: e.kind for e in request.evidence} | {a.id: "alert" for a in request.alerts}

    def points(section: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                "text": p.text,
                "cites": [{"id": i, "kind": kinds.get(i, "")} for i in p.evidence_ids],
            }
            for p in section
        ]

    return {
        "changes": points(brief.changes),
        "answers": points(brief.answers),
        "themes": points(brief.themes),
        "progress": points(brief.progress),
        "open_questions": points(brief.open_questions),
        "explore": points(brief.explore),
        "evidence_count": len(request.evidence),
        "alert_count": len(request.alerts),
        "since": request.since,
    }


class BriefService:
    """A coach's briefs on their learners, bound to the request's session and identity."""

    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def write(self, runtime: AgentRuntime, learner_id: UUID) -> AgentRun:
        """The brief, as the agent run that wrote it.

        When the model fails (a timeout, a 5xx, a rate limit...) the composer writes the brief
        from the same material, and the run says so (`fallback_used`, the reason; the page
        shows it). A coach asks for a brief minutes before a session, often after waiting out
        the model's own timeout and retries: a brief citing the same answers, messages and
        alerts now serves them better than an error telling them to wait and try again. Only
        if the composer fails too is the failure stored and answered 503 with Retry-After.
        """
        db, identity = self.db, self.identity
        request = await brief_request(db, identity, learner_id)
        started = time.perf_counter()  # what the coach waited, the failed attempt included
        outcome = await run_agent(
            BRIEF,
            partial(draft_brief, request, runtime.llm),
            tracer=runtime.tracer,
            model=model_name(runtime.llm),
        )
        failed = outcome if isinstance(outcome, Failure) and runtime.llm is not None else None
        if failed is not None:
            outcome = await run_agent(
                BRIEF, partial(draft_brief, request, None), tracer=runtime.tracer, model="composer"
            )
        if isinstance(outcome, Failure):
            await _failed(db, identity, learner_id, outcome)
            raise Unavailable(
                f"The brief could not be written ({outcome.kind}); nothing was lost: "
                f"retry in {RETRY_AFTER_S} s.",
                retry_after_s=RETRY_AFTER_S,
                code="brief_unavailable",
            )
        brief = outcome.value
        details = {"brief": brief_content(brief, request), "fallback_reason": brief.fallback_reason}
        if failed is not None:
            details["fallback_reason"] = f"the model failed ({failed.kind}); the composer wrote it"
        run = AgentRun(
            organization_id=identity.organization_id,
            kind=BRIEF,
            learner_id=learner_id,
            requested_by_id=identity.user_id,
            status=RunStatus.DONE.value,
            provider=brief.provider,
            model=brief.model,
            prompt_version=brief.prompt_version,
            tokens_in=brief.tokens_in,
            tokens_out=brief.tokens_out,
            latency_ms=round((time.perf_counter() - started) * 1000),
            fallback_used=brief.fallback_used or failed is not None,
            error=failed.record if failed else "",
            details=details,
        )
        db.add(run)
        await db.flush()
        audit.record(
            db,
            organization_id=identity.organization_id,
            actor_id=identity.user_id,
            action="brief.write",
            target_type="agent_run",
            target_id=run.id,
        )
        await db.refresh(run)
        return run

    async def latest(self, learner_id: UUID) -> AgentRun:
        """The latest brief written for this learner (a failed attempt is not one)."""
        self.identity.require_role(Role.COACH)
        run = await self.db.scalar(
            select(AgentRun)
            .where(
                AgentRun.kind == BRIEF,
                AgentRun.status == RunStatus.DONE.value,  # a failed attempt is not a brief
                AgentRun.learner_id == learner_id,
                access.visible_runs(self.identity),
            )
            .order_by(AgentRun.id.desc())
            .limit(1)
        )
        if run is None:
            raise NotFound("No brief yet for this learner: POST to this address to write one.")
        return run
