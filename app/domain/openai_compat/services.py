"""An OpenAI chat request as an Interlude chat turn, through the native chat's own service.

OpenAI's protocol is stateless: the client sends the whole history each time. Here only the
*last* message is taken, as the learner's new turn; the history is the stored conversation.
The earlier messages of the request are not trusted: a client could write assistant turns the
companion never said ("as agreed, I'll tell nobody...") or system messages that rewrite its
rules, and the guard, the citations and the coach's view all rest on what was really said.
A conversation is continued by its id (the `conversation_id` extension); without it, each
request starts a new conversation, whose id comes back in `interlude.conversation_id`.
"""

from __future__ import annotations

import re
from uuid import UUID

from app.domain.conversations.schemas import ConversationIn
from app.domain.conversations.services import ConversationService
from app.domain.conversations.turn_context import PreparedTurn
from app.domain.openai_compat.schemas import MODEL_ID, ChatCompletionIn, ChatMessageIn
from app.lib.errors import InvalidInput, NotFound
from app.lib.schema import NON_BLANK, PATTERN_MEANINGS


def check_model(name: str) -> None:
    if name != MODEL_ID:
        raise NotFound(
            f"The model '{name[:100]}' does not exist here: use '{MODEL_ID}'.",
            field="model",
            code="model_not_found",
        )


def check_request(data: ChatCompletionIn) -> str:
    """The new turn's text, once the request asks for nothing the companion cannot do."""
    check_model(data.model)
    refused = data.unsupported()
    if refused is not None:
        raise InvalidInput(refused[1], field=refused[0], code="unsupported_parameter")
    return learner_text(data.messages)


def learner_text(messages: list[ChatMessageIn]) -> str:
    """The text of the last message, which must be the learner's (role `user`)."""
    last = messages[-1]
    field = f"messages[{len(messages) - 1}].content"
    if last.role != "user":
        raise InvalidInput(
            f"The last message is the {last.role}'s; it must be the learner's new message "
            "(role 'user'). Earlier messages are not needed: the conversation is stored.",
            field="messages",
        )
    if isinstance(last.content, list):
        if any(part.type != "text" or part.text is None for part in last.content):
            raise InvalidInput("Only text content is supported: send text parts.", field=field)
        text = "\n".join(part.text or "" for part in last.content)
    else:
        text = last.content or ""
    if not re.search(NON_BLANK, text):  # the native API's rule for a message
        raise InvalidInput(f"The message {PATTERN_MEANINGS[NON_BLANK]}.", field=field)
    return text


async def start_turn(conversations: ConversationService, data: ChatCompletionIn) -> PreparedTurn:
    """The learner's message stored and committed (in a new conversation without
    `conversation_id`), ready for the agent: the native chat's first half."""
    text = check_request(data)
    conversation_id: UUID | None = data.conversation_id
    if conversation_id is None:
        conversation_id = (await conversations.create(ConversationIn())).id
    try:
        return await conversations.post_message(conversation_id, text)
    except InvalidInput as error:  # the message's length: name it where this client wrote it
        if error.field != "content":
            raise
        raise InvalidInput(
            error.message, field=f"messages[{len(data.messages) - 1}].content"
        ) from None
