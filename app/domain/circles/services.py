"""Peer circles (co-development): the rules.

A coach or an admin forms a circle of 4 to 8 learners of the organisation with a
facilitator (a coach or an admin). A session follows six steps in order, each with a
suggested duration; the facilitator advances. The presenter writes the situation, the
request and the action plan; the others write clarifying questions, suggestions and lessons.
The agent drafts clarifying questions (when the situation is in) and a synthesis (when the
session closes): members see them only once the facilitator approved or edited them. The
presenter's action plan becomes one of their own between-session items.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.safety import SafetyGuard
from app.db.models import (
    Circle,
    CircleContribution,
    CircleDraft,
    CircleMember,
    CircleSession,
    User,
)
from app.db.models.enums import Role
from app.domain import access, audit
from app.domain.circles import drafting, safety
from app.domain.circles.schemas import (
    MAX_MEMBERS,
    MIN_MEMBERS,
    STEPS,
    CircleExport,
    CircleIn,
    CircleOut,
    ContributionIn,
    ContributionOut,
    DraftOut,
    MemberOut,
    ReviewIn,
    SessionIn,
    SessionOut,
    SessionSummary,
    WrittenOut,
)
from app.domain.notifications.alerts import AlertMail
from app.lib.clock import utcnow
from app.lib.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.lib.identity import Identity


class CircleService:
    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    # Circles

    async def create(self, data: CircleIn) -> CircleOut:
        me = self.identity
        me.require_role(Role.COACH, Role.ADMIN)
        members = list(dict.fromkeys(data.member_ids))
        if not MIN_MEMBERS <= len(members) <= MAX_MEMBERS:
            raise InvalidInput(
                f"A circle has {MIN_MEMBERS} to {MAX_MEMBERS} different learners; "
                f"{len(members)} were given.",
                field="member_ids",
            )
        facilitator_id = data.facilitator_id or me.user_id
        facilitator = await self.db.scalar(
            select(User).where(
                User.id == facilitator_id,
                access.in_tenant(User, me),
                User.role.in_((Role.COACH, Role.ADMIN)),
                User.is_active.is_(True),
            )
        )
        if facilitator is None:
            raise InvalidInput(
                "The facilitator must be an active coach or admin of your organisation.",
                field="facilitator_id",
            )
        eligible = select(User.id).where(
            User.id.in_(members),
            access.in_tenant(User, me),
            User.role == Role.LEARNER,
            User.is_active.is_(True),
        )
        if me.role is Role.COACH:  # a coach forms circles of the learners they coach
            eligible = eligible.where(User.id.in_(access.coach_learner_ids(me)))
        found = set(await self.db.scalars(eligible))
        if len(found) != len(members):
            raise InvalidInput(
                "Every member must be an active learner of your organisation"
                + (" whom you coach." if me.role is Role.COACH else "."),
                field="member_ids",
            )
        circle = Circle(
            organization_id=me.organization_id,
            name=data.name.strip(),
            facilitator_id=facilitator.id,
            created_by_id=me.user_id,
            language=data.language or ("en" if facilitator.locale.value == "en" else "fr"),
        )
        self.db.add(circle)
        await self.db.flush()
        for learner_id in members:
            self.db.add(
                CircleMember(
                    organization_id=me.organization_id, circle_id=circle.id, learner_id=learner_id
                )
            )
        self._audit("circle.create", "circle", circle.id, members=len(members))
        await self.db.flush()
        return await self._out(circle)

    async def mine(self) -> list[CircleOut]:
        rows = await self.db.scalars(
            select(Circle).where(access.visible_circles(self.identity)).order_by(Circle.id.desc())
        )
        return [await self._out(c) for c in rows]

    async def invitable(self) -> list[User]:
        """Whom the caller may put in a circle: a coach's active learners, an admin's
        organisation's; by name."""
        rows = await self.db.scalars(
            select(User)
            .where(
                access.visible_users(self.identity),
                User.role == Role.LEARNER,
                User.is_active.is_(True),
            )
            .order_by(User.display_name)
        )
        return list(rows)

    async def _circle(self, circle_id: UUID) -> Circle:
        return await access.one_visible(
            self.db,
            Circle,
            circle_id,
            access.visible_circles(self.identity),
            what="circle",
            field="circle_id",
        )

    async def get(self, circle_id: UUID) -> CircleOut:
        return await self._out(await self._circle(circle_id))

    def _facilitating(self, circle: Circle) -> None:
        if circle.facilitator_id != self.identity.user_id:
            raise Forbidden("Only the circle's facilitator does this.")

    async def _members(self, circle: Circle) -> list[tuple[User, int]]:
        """Members with how many sessions each presented, in the order they joined."""
        presented = (
            select(func.count(CircleSession.id))
            .where(
                CircleSession.circle_id == circle.id,
                CircleSession.presenter_id == CircleMember.learner_id,
            )
            .scalar_subquery()
        )
        rows = await self.db.execute(
            select(User, presented)
            .join(CircleMember, CircleMember.learner_id == User.id)
            .where(
                CircleMember.organization_id == circle.organization_id,
                CircleMember.circle_id == circle.id,
            )
            .order_by(CircleMember.id)
        )
        return [(user, int(count or 0)) for user, count in rows.tuples()]

    async def _out(self, circle: Circle) -> CircleOut:
        facilitator = await self.db.get(User, circle.facilitator_id)
        sessions = list(
            await self.db.scalars(
                select(CircleSession)
                .where(
                    CircleSession.organization_id == circle.organization_id,
                    CircleSession.circle_id == circle.id,
                )
                .order_by(CircleSession.id.desc())
            )
        )
        return CircleOut(
            id=circle.id,
            name=circle.name,
            language=circle.language,
            facilitator_id=circle.facilitator_id,
            facilitator=facilitator.display_name if facilitator else "",
            members=[
                MemberOut(id=u.id, name=u.display_name, presented=n)
                for u, n in await self._members(circle)
            ],
            open_session_id=next((s.id for s in sessions if s.closed_at is None), None),
            session_ids=[s.id for s in sessions],
            created_at=circle.created_at,
        )

    async def history(self, circle_id: UUID) -> list[SessionSummary]:
        """The circle's sessions, newest first, with their presenter."""
        circle = await self._circle(circle_id)
        rows = await self.db.execute(
            select(CircleSession, User.display_name)
            .outerjoin(User, User.id == CircleSession.presenter_id)
            .where(
                CircleSession.organization_id == circle.organization_id,
                CircleSession.circle_id == circle.id,
            )
            .order_by(CircleSession.id.desc())
        )
        return [
            SessionSummary(
                id=s.id, presenter=name or "", created_at=s.created_at, closed_at=s.closed_at
            )
            for s, name in rows.tuples()
        ]

    # Sessions

    async def start(self, circle_id: UUID, data: SessionIn) -> SessionOut:
        circle = await self._circle(circle_id)
        self._facilitating(circle)
        out = await self._out(circle)
        if out.open_session_id is not None:
            raise Conflict(
                "This circle has a session under way: close it first.", field="circle_id"
            )
        members = {m.id: m for m in out.members}
        if data.presenter_id is not None and data.presenter_id not in members:
            raise InvalidInput(
                "The presenter must be a member of the circle.", field="presenter_id"
            )
        # Roles rotate: by default the member who presented least, first joined first.
        presenter_id = data.presenter_id or min(out.members, key=lambda m: m.presented).id
        session = CircleSession(
            organization_id=circle.organization_id,
            circle_id=circle.id,
            presenter_id=presenter_id,
            step=0,
            step_started_at=utcnow(),
        )
        self.db.add(session)
        await self.db.flush()
        self._audit("circle_session.start", "circle_session", session.id)
        return await self.view(session.id)

    async def _session(self, session_id: UUID) -> tuple[Circle, CircleSession]:
        row = (
            await self.db.execute(
                select(Circle, CircleSession)
                .join(CircleSession, CircleSession.circle_id == Circle.id)
                .where(CircleSession.id == session_id, access.visible_circles(self.identity))
            )
        ).first()
        if row is None:
            raise NotFound("No such circle session.", field="circle_session_id")
        return row[0], row[1]

    async def view(self, session_id: UUID) -> SessionOut:
        circle, session = await self._session(session_id)
        contributions = (
            await self.db.execute(
                select(CircleContribution, User)
                .join(User, User.id == CircleContribution.author_id)
                .where(
                    CircleContribution.session_id == session.id,
                    access.visible_circle_contributions(self.identity),
                )
                .order_by(CircleContribution.id)
            )
        ).tuples()
        drafts = await self.db.scalars(
            select(CircleDraft)
            .where(
                CircleDraft.session_id == session.id,
                access.visible_circle_drafts(self.identity),
            )
            .order_by(CircleDraft.id)
        )
        presenter = await self.db.get(User, session.presenter_id) if session.presenter_id else None
        closed = session.closed_at is not None
        step = None if closed else STEPS[session.step]
        ends = session.step_started_at + timedelta(minutes=step.minutes) if step else None
        return SessionOut(
            id=session.id,
            circle_id=circle.id,
            presenter_id=session.presenter_id,
            presenter=presenter.display_name if presenter else "",
            step=step.key if step else "closed",
            step_index=session.step,
            step_minutes=step.minutes if step else 0,
            step_ends_at=ends,
            seconds_left=max(0, int((ends - utcnow()).total_seconds())) if ends else 0,
            closed_at=session.closed_at,
            contributions=[contribution_out(c, u) for c, u in contributions],
            drafts=[draft_out(d) for d in drafts],
            # The presenter's alone: which of their items the plan became is not the circle's
            # business (the members would get a 404 for it, and a facilitator who coaches the
            # presenter finds it among their learner's items, not here).
            item_id=session.item_id if session.presenter_id == self.identity.user_id else None,
            created_at=session.created_at,
        )

    async def contribute(
        self,
        session_id: UUID,
        data: ContributionIn,
        guard: SafetyGuard,
        mail: AlertMail | None,
    ) -> WrittenOut:
        """A member writes at the step under way; the guard reads it first."""
        self.identity.require_role(Role.LEARNER)
        circle, session = await self._session(session_id)
        if session.closed_at is not None:
            raise Conflict("This session is closed.", field="circle_session_id")
        step = STEPS[session.step]
        presenting = session.presenter_id == self.identity.user_id
        if step.by_presenter and not presenting:
            raise Conflict(f"At the {step.key} step, the presenter writes.", field="text")
        if not step.by_presenter and presenting and step.key != "lessons":
            raise Conflict(f"At the {step.key} step, the other members write.", field="text")
        verdict = await safety.check(guard, data.text)
        written = CircleContribution(
            organization_id=circle.organization_id,
            session_id=session.id,
            circle_id=circle.id,
            author_id=self.identity.user_id,
            step=step.key,
            text=data.text.strip(),
            safety_tier=verdict.tier,
            safety_category=verdict.category,
        )
        self.db.add(written)
        await self.db.flush()
        self._audit("circle.contribute", "circle_contribution", written.id, flagged=verdict.flagged)
        if verdict.tier == "urgent":
            await safety.alert(self.db, written, verdict, mail)
        await self.db.flush()
        author = await self.db.get(User, self.identity.user_id)
        return WrittenOut(
            contribution=contribution_out(written, author),
            resources=await safety.resources(self.db, circle.organization_id, verdict),
        )

    async def advance(self, session_id: UUID) -> SessionOut:
        """The next step; drafts and the presenter's item are made on the way."""
        circle, session = await self._session(session_id)
        self._facilitating(circle)
        if session.closed_at is not None:
            raise Conflict("This session is closed.", field="circle_session_id")
        key = STEPS[session.step].key
        if key in ("situation", "plan") and not await self._written(session, key):
            raise Conflict(
                f"The presenter has not written the {key} yet (a text the safety guard held "
                "back from the circle does not count).",
                field="step",
            )
        if key == "situation":
            await drafting.questions_draft(self.db, circle, session)
        if key == "plan":
            item = await drafting.plan_item(self.db, circle, session)
            session.item_id = item.id if item else None
        now = utcnow()
        if session.step + 1 < len(STEPS):
            session.step += 1
        else:
            session.closed_at = now
            await drafting.synthesis_draft(self.db, circle, session)
        session.step_started_at = now
        self._audit("circle_session.advance", "circle_session", session.id, left=key)
        await self.db.flush()
        return await self.view(session.id)

    async def _written(self, session: CircleSession, step: str) -> bool:
        count = await self.db.scalar(
            select(func.count(CircleContribution.id)).where(
                CircleContribution.session_id == session.id,
                CircleContribution.step == step,
                CircleContribution.safety_tier.is_(None),
            )
        )
        return bool(count)

    async def review(self, draft_id: UUID, data: ReviewIn) -> DraftOut:
        """The facilitator's decision on an agent draft, before the circle sees it."""
        draft = await access.one_visible(
            self.db,
            CircleDraft,
            draft_id,
            access.visible_circle_drafts(self.identity),
            what="draft",
            field="circle_draft_id",
        )
        circle, _ = await self._session(draft.session_id)
        self._facilitating(circle)
        if draft.state != "pending_review":
            raise Conflict(f"This draft was {draft.state} already.", field="decision")
        if data.decision == "edit":
            if data.text is None:
                raise InvalidInput("An edit needs the edited text.", field="text")
            draft.text = data.text.strip()
        draft.state = {"approve": "approved", "edit": "edited", "reject": "rejected"}[data.decision]
        draft.reason = data.reason.strip()
        draft.reviewed_by_id, draft.reviewed_at = self.identity.user_id, utcnow()
        self._audit("circle_draft." + data.decision, "circle_draft", draft.id, kind=draft.kind)
        await self.db.flush()
        return draft_out(draft)

    async def export(self) -> list[CircleExport]:
        """For the learner's export: each circle's name and what they wrote in it."""
        me = self.identity
        out = []
        for circle in await self.db.scalars(
            select(Circle).where(access.visible_circles(me)).order_by(Circle.id)
        ):
            mine = await self.db.scalars(
                select(CircleContribution)
                .where(
                    access.in_tenant(CircleContribution, me),
                    CircleContribution.circle_id == circle.id,
                    CircleContribution.author_id == me.user_id,
                )
                .order_by(CircleContribution.id)
            )
            author = await self.db.get(User, me.user_id)
            out.append(
                CircleExport(
                    circle=circle.name, contributions=[contribution_out(c, author) for c in mine]
                )
            )
        return out

    def _audit(self, action: str, target_type: str, target_id: UUID, **details: Any) -> None:
        audit.record(
            self.db,
            organization_id=self.identity.organization_id,
            actor_id=self.identity.user_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            **details,
        )


def contribution_out(c: CircleContribution, author: User | None) -> ContributionOut:
    return ContributionOut(
        id=c.id,
        step=c.step,
        author_id=c.author_id,
        author=author.display_name if author else "",
        text=c.text,
        safety_tier=c.safety_tier,
        created_at=c.created_at,
    )


def draft_out(d: CircleDraft) -> DraftOut:
    return DraftOut(
        id=d.id, kind=d.kind, text=d.text, state=d.state, reason=d.reason, reviewed_at=d.reviewed_at
    )
