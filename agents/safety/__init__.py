"""Safety guard: detect distress, violence, medical, legal and clinical requests (French and
English) before and after generation, and the safe reply sent instead of coaching content.

Layers: regular-expression rules (precise), similarity to labelled examples (paraphrases),
and optionally a chat model that can only add a detection. No model is loaded at import.
"""

from agents.safety.guard import (
    DEFAULT_THRESHOLD,
    SafetyGuard,
    SafetyVerdict,
    calibrate_threshold,
    load_examples,
)
from agents.safety.replies import safe_reply
from agents.safety.rules import CATEGORIES, Category

__all__ = [
    "CATEGORIES",
    "DEFAULT_THRESHOLD",
    "Category",
    "SafetyGuard",
    "SafetyVerdict",
    "calibrate_threshold",
    "load_examples",
    "safe_reply",
]
