"""The chat agent: grounded, reflective replies to a learner, streamed."""

from agents.chat.agent import reply_events
from agents.chat.state import (
    APPROVED_ITEMS,
    HISTORY_TURNS,
    ChatReply,
    ChatRequest,
    Delta,
    ModulePrompt,
    Replace,
    Turn,
)

__all__ = [
    "APPROVED_ITEMS",
    "HISTORY_TURNS",
    "ChatReply",
    "ChatRequest",
    "Delta",
    "ModulePrompt",
    "Replace",
    "Turn",
    "reply_events",
]
