"""What the safety guard sorts messages into: categories, each in one tier.

The tier decides what happens (DESIGN.md, "Conversation"):
- `urgent`: a safe reply with resources, no coaching content, and an alert to the coach at once;
- `support`: a reply that checks in, names resources and offers to tell the coach; the coach is
  alerted only if the learner agrees, or if the risk rises over the conversation;
- `out_of_scope`: where to turn, and no alert: medical, legal and money matters are not the
  employer-paid coach's business.
Fear, conflict, missing feedback and overload are coaching: no category at all.
"""

from __future__ import annotations

from typing import Literal

Category = Literal[
    "self_harm", "violence", "distress", "harassment", "medical", "legal", "financial"
]
Tier = Literal["urgent", "support", "out_of_scope"]

CATEGORIES: tuple[Category, ...] = (
    "self_harm",
    "violence",
    "distress",
    "harassment",
    "medical",
    "legal",
    "financial",
)
TIERS: tuple[Tier, ...] = ("urgent", "support", "out_of_scope")  # most urgent first
TIER_OF: dict[Category, Tier] = {
    "self_harm": "urgent",
    "violence": "urgent",
    "distress": "support",
    "harassment": "support",
    "medical": "out_of_scope",
    "legal": "out_of_scope",
    "financial": "out_of_scope",
}
# When a text falls in several categories, the most urgent one wins.
PRIORITY: tuple[Category, ...] = CATEGORIES


def tier_rank(tier: Tier | None) -> int:
    """3 for urgent, 2 support, 1 out of scope, 0 for nothing: to compare tiers."""
    return 0 if tier is None else len(TIERS) - TIERS.index(tier)


def most_urgent(categories: set[Category]) -> Category | None:
    return next((c for c in PRIORITY if c in categories), None)
