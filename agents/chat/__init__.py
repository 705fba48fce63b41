"""The chat agent: grounded, reflective replies to a learner, streamed."""

from agents.chat.agent import reply_events
from agents.chat.state import ChatReply, ChatRequest, Delta, Replace, Turn

__all__ = ["ChatReply", "ChatRequest", "Delta", "Replace", "Turn", "reply_events"]
