"""Conversations belong to a learner; a coach reads one only if the learner shared it."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Conversation, Message
from app.db.models.enums import MessageRole, MessageStatus, Role
from app.db.rows import insert_new
from app.domain import access
from app.domain.conversations.schemas import ConversationIn, ConversationPatch
from app.domain.conversations.turn_context import PreparedTurn, TurnContext, read_turn_context
from app.domain.conversations.turn_records import escalate
from app.lib.errors import Conflict, InvalidInput, NotFound
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page


class ConversationService:
    def __init__(self, db: AsyncSession, identity: Identity, max_message_chars: int) -> None:
        self.db = db
        self.identity = identity
        self.max_message_chars = max_message_chars

    async def list(self, page: PageParams) -> tuple[Sequence[Conversation], str | None]:
        self.identity.require_role(Role.LEARNER, Role.COACH)
        statement = select(Conversation).where(access.visible_conversations(self.identity))
        return await fetch_page(self.db, statement, Conversation.id, page, newest_first=True)

    async def shared_count(self) -> int:
        """How many of the learner's conversations their coach may read now."""
        self.identity.require_role(Role.LEARNER)
        count = await self.db.scalar(
            select(func.count(Conversation.id)).where(
                access.visible_conversations(self.identity),
                Conversation.shared_with_coach.is_(True),
            )
        )
        return int(count or 0)

    async def get(self, conversation_id: UUID) -> Conversation:
        self.identity.require_role(Role.LEARNER, Role.COACH)
        return await access.one_visible(
            self.db,
            Conversation,
            conversation_id,
            access.visible_conversations(self.identity),
            what="conversation",
            field="conversation_id",
        )

    async def _own(self, conversation_id: UUID) -> Conversation:
        self.identity.require_role(Role.LEARNER)
        return await self.get(conversation_id)

    async def _turn_context(
        self, conversation_id: UUID, *, excluding: UUID | None = None
    ) -> TurnContext:
        """`_own`, with everything the agent may know for a turn in it."""
        self.identity.require_role(Role.LEARNER)
        context = await read_turn_context(
            self.db, self.identity, conversation_id, excluding=excluding
        )
        if context is None:
            raise NotFound("No such conversation.", field="conversation_id")
        return context

    async def create(self, data: ConversationIn) -> Conversation:
        self.identity.require_role(Role.LEARNER)
        conversation = Conversation(
            organization_id=self.identity.organization_id,
            learner_id=self.identity.user_id,
            title=data.title.strip(),
            shared_with_coach=data.shared_with_coach,
        )
        self.db.add(conversation)
        await self.db.flush()
        await self.db.refresh(conversation)
        return conversation

    async def update(self, conversation_id: UUID, data: ConversationPatch) -> Conversation:
        conversation = await self._own(conversation_id)
        if data.title is not None:
            conversation.title = data.title.strip()
        if data.shared_with_coach is not None:
            conversation.shared_with_coach = data.shared_with_coach
        await self.db.flush()
        await self.db.refresh(conversation)
        return conversation

    async def messages(
        self, conversation_id: UUID, page: PageParams
    ) -> tuple[Sequence[Message], str | None]:
        await self.get(conversation_id)
        statement = select(Message).where(
            Message.conversation_id == conversation_id, access.in_tenant(Message, self.identity)
        )
        return await fetch_page(self.db, statement, Message.id, page)

    async def post_message(self, conversation_id: UUID, content: str) -> PreparedTurn:
        """Store the learner's message and commit it before any model call (nothing after may
        lose it); the turn is then ready for the agent. The context is read first: on SQLite the
        write lock is held for the insert and the commit only."""
        context = await self._turn_context(conversation_id)  # 403 or 404 before any 400
        if len(content) > self.max_message_chars:
            raise InvalidInput(
                f"The message is {len(content)} characters; the limit is "
                f"{self.max_message_chars}. Shorten it or split it.",
                field="content",
            )
        conversation = context.conversation
        message = Message(
            organization_id=conversation.organization_id,
            conversation_id=conversation.id,
            role=MessageRole.LEARNER,
            content=content,
            status=MessageStatus.STORED,
        )
        await insert_new(self.db, message)  # written once here: no unit of work needed
        await self.db.commit()
        return PreparedTurn(message=message, request=context.request(message))

    async def retry_turn(self, conversation_id: UUID, message_id: UUID) -> PreparedTurn:
        """The learner's own message whose reply failed (the only kind that can be retried),
        ready for the agent again."""
        context = await self._turn_context(conversation_id, excluding=message_id)
        message = await self._message(conversation_id, message_id, MessageRole.LEARNER)
        if message.status is not MessageStatus.FAILED:
            raise Conflict(
                f"This message is {message.status.value}; only a failed reply can be retried.",
                field="message_id",
            )
        return PreparedTurn(message=message, request=context.request(message))

    async def _message(self, conversation_id: UUID, message_id: UUID, role: MessageRole) -> Message:
        """A message of `role` in this conversation (already checked as the caller's)."""
        return await access.one_visible(
            self.db,
            Message,
            message_id,
            access.in_tenant(Message, self.identity),
            Message.conversation_id == conversation_id,
            Message.role == role,
            what="message",
            field="message_id",
        )

    async def tell_coach(self, conversation_id: UUID, reply_id: UUID) -> Message:
        """The learner accepts a support reply's offer: their coach is alerted (category and
        tier, never the text). Asking twice alerts once."""
        conversation = await self._own(conversation_id)
        reply = await self._message(conversation_id, reply_id, MessageRole.ASSISTANT)
        safety = reply.safety or {}
        if safety.get("coach") == "told":
            return reply
        if safety.get("coach") != "offered" or reply.reply_to_id is None:
            raise Conflict(
                "This reply offered nothing to tell your coach; only a support reply does.",
                field="message_id",
            )
        asked = await self.db.get_one(Message, reply.reply_to_id)
        await escalate(
            self.db,
            asked,
            conversation.learner_id,
            category=safety["category"],
            tier="support",
            detected_by="learner",
            stage="message",
        )
        reply.safety = {**safety, "coach": "told"}
        await self.db.flush()
        return reply
