"""Safety guard: read a learner's message (alone and with their last messages) for risk, sort it
into a tier (urgent, support, out of scope), and give the reply sent instead of coaching.

Layers: regular-expression rules (precise), a classifier over sentence embeddings trained on a
labelled corpus (paraphrases, indirect and buried signals), and optionally a chat model that
can only add a detection. Nothing is loaded or trained at import.
"""

from agents.safety.guard import (
    DEFAULT_THRESHOLDS,
    SafetyGuard,
    SafetyVerdict,
    Thresholds,
    load_corpus,
)
from agents.safety.replies import safe_reply
from agents.safety.taxonomy import CATEGORIES, TIER_OF, TIERS, Category, Tier

__all__ = [
    "CATEGORIES",
    "DEFAULT_THRESHOLDS",
    "TIERS",
    "TIER_OF",
    "Category",
    "SafetyGuard",
    "SafetyVerdict",
    "Thresholds",
    "Tier",
    "load_corpus",
    "safe_reply",
]
