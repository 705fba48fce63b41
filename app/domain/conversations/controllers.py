from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.response import ServerSentEvent
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.enums import IntegrationScope
from app.domain.agents.runtime import AgentRuntime
from app.domain.conversations.schemas import (
    ChatTurnOut,
    ConversationIn,
    ConversationOut,
    ConversationPatch,
    MessageIn,
    MessageOut,
)
from app.domain.conversations.services import ConversationService
from app.domain.conversations.turns import STREAM_EVENTS, ChatTurns
from app.domain.notifications.alerts import AlertMail
from app.lib.errors import Conflict
from app.lib.identity import Identity, open_to
from app.lib.openapi import errors
from app.lib.pagination import PageParams
from app.lib.schema import Page
from app.settings import Settings


def provide_turns(
    identity: NamedDependency[Identity],
    sessions: NamedDependency[Callable[[], AsyncSession]],
    agents: NamedDependency[AgentRuntime],
    alert_mail: NamedDependency[AlertMail | None],
) -> ChatTurns:
    return ChatTurns(sessions, agents, identity, alert_mail)


def provide_conversations(
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
    settings: NamedDependency[Settings],
) -> ConversationService:
    return ConversationService(db_session, identity, settings.max_message_chars)


class ConversationController(Controller):
    path = "/api/v1/conversations"
    tags = ["conversations"]
    opt = open_to(IntegrationScope.CHAT_LEARNER)  # an embedded widget chats as its learner
    dependencies = {
        "conversations": Provide(provide_conversations, sync_to_thread=False),
        "turns": Provide(provide_turns, sync_to_thread=False),
    }

    @get("/", summary="My conversations (coach: those my learners shared)")
    async def list_conversations(
        self, conversations: NamedDependency[ConversationService], page: NamedDependency[PageParams]
    ) -> Page[ConversationOut]:
        """A learner's own conversations with the companion; a coach sees those their learners chose
        to share."""
        items, cursor = await conversations.list(page)
        return Page(items=[ConversationOut.of(c) for c in items], next_cursor=cursor)

    @post("/", summary="Start a conversation (learner)")
    async def create(
        self, conversations: NamedDependency[ConversationService], data: JSONBody[ConversationIn]
    ) -> ConversationOut:
        """Starts an empty conversation with the companion; send messages to it next.
        Learner only."""
        return ConversationOut.of(await conversations.create(data))

    @get("/{conversation_id:uuid}", summary="One conversation")
    async def get_one(
        self, conversations: NamedDependency[ConversationService], conversation_id: FromPath[UUID]
    ) -> ConversationOut:
        """One conversation the caller may see: the learner's own, or one shared with their
        coach."""
        return ConversationOut.of(await conversations.get(conversation_id))

    @patch("/{conversation_id:uuid}", summary="Rename, or share with my coach (learner)")
    async def update(
        self,
        conversations: NamedDependency[ConversationService],
        conversation_id: FromPath[UUID],
        data: JSONBody[ConversationPatch],
    ) -> ConversationOut:
        """Renames a conversation or shares it with the coach (or stops sharing); only the fields
        sent change. Learner only."""
        return ConversationOut.of(await conversations.update(conversation_id, data))

    @get("/{conversation_id:uuid}/messages", summary="Messages, oldest first")
    async def messages(
        self,
        conversations: NamedDependency[ConversationService],
        conversation_id: FromPath[UUID],
        page: NamedDependency[PageParams],
    ) -> Page[MessageOut]:
        """A conversation's messages, oldest first, a page at a time."""
        items, cursor = await conversations.messages(conversation_id, page)
        return Page(items=[MessageOut.of(m) for m in items], next_cursor=cursor)

    @post(
        "/{conversation_id:uuid}/messages",
        summary="Send a message and get the companion's reply (the message is stored first)",
        responses=errors(503),
    )
    async def post_message(
        self,
        conversations: NamedDependency[ConversationService],
        turns: NamedDependency[ChatTurns],
        conversation_id: FromPath[UUID],
        data: JSONBody[MessageIn],
    ) -> ChatTurnOut:
        """Stores the learner's message, then asks the companion for a grounded reply with
        citations. The message is kept whatever happens; a reply that fails is marked failed and
        can be retried. The knowledge store unavailable answers 503."""
        return await turns.complete(await conversations.post_message(conversation_id, data.content))

    @post(
        "/{conversation_id:uuid}/messages/stream",
        summary="Send a message; the reply streams as server-sent events",
        description=STREAM_EVENTS,
        responses=errors(503),
    )
    async def stream_message(
        self,
        conversations: NamedDependency[ConversationService],
        turns: NamedDependency[ChatTurns],
        conversation_id: FromPath[UUID],
        data: JSONBody[MessageIn],
    ) -> ServerSentEvent:
        turn = await conversations.post_message(conversation_id, data.content)
        return ServerSentEvent(turns.stream(turn))

    @post(
        "/{conversation_id:uuid}/messages/{message_id:uuid}/retry",
        summary="Ask again for the reply to a message whose reply failed",
        responses=errors(Conflict, 503),
    )
    async def retry(
        self,
        conversations: NamedDependency[ConversationService],
        turns: NamedDependency[ChatTurns],
        conversation_id: FromPath[UUID],
        message_id: FromPath[UUID],
    ) -> ChatTurnOut:
        """Asks the companion again for the reply to a learner message whose reply failed; any other
        message answers 409."""
        return await turns.complete(await conversations.retry_turn(conversation_id, message_id))

    @post(
        "/{conversation_id:uuid}/messages/{message_id:uuid}/tell-coach",
        summary="Accept a support reply's offer: my coach is alerted (never with the text)",
        responses=errors(Conflict),
    )
    async def tell_coach(
        self,
        conversations: NamedDependency[ConversationService],
        conversation_id: FromPath[UUID],
        message_id: FromPath[UUID],
    ) -> MessageOut:
        """Accepts the offer a support reply made: the coach gets an alert with the tier, never the
        text. Asking twice alerts once; a reply that offered nothing answers 409."""
        return MessageOut.of(await conversations.tell_coach(conversation_id, message_id))
