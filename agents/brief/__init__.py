"""The brief agent: before a session, what the learner wrote since the last one, for the coach."""

from agents.brief.graph import build_brief_graph, draft_brief
from agents.brief.state import Alert, Brief, BriefPoint, BriefRequest, Evidence

__all__ = [
    "Alert",
    "Brief",
    "BriefPoint",
    "BriefRequest",
    "Evidence",
    "build_brief_graph",
    "draft_brief",
]
