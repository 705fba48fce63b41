"""The chat agent: guard → retrieve → reply (model or composer) → check → citations.

`reply_events` yields the reply as sanitised Delta/Replace events and ends with the ChatReply.
It never stores anything: the app stored the learner's message before calling it, and stores
the reply after. A model failure raises ModelError to the caller, which keeps the message and
marks it failed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from agents.chat.composer import compose_reply
from agents.chat.prompts import PROMPT_VERSION, SYSTEM, chat_messages
from agents.chat.state import ChatEvent, ChatReply, ChatRequest, SafetyOutcome, Stage
from agents.chat.stream import SafeStream
from agents.checks import count_questions, language_problems, leaks_prompt
from agents.grounding import Source, citations_for, cited_labels, label_passages
from agents.llm import ChatModel, StreamStats
from agents.safety import TIER_OF, SafetyGuard, SafetyVerdict, safe_reply
from agents.sanitize import sanitize_reply
from agents.themes import heard_skills
from knowledge.documents import DocumentKind
from knowledge.retrieval import Retriever

# When is a passage worth citing? An absolute measure is needed, and only the cosine is one
# (fused scores and BM25 ranks are relative to the result list: some passage always ranks
# first). With the packaged USE model, on-topic questions reach 0.22-0.55 with a passage and
# off-topic ones mostly stay under 0.2 (probes on the French pack, then `python -m evals eval`).
# So the message is on topic when its best passage reaches ON_TOPIC; then a passage ranked
# first by its words may be cited with a lower cosine: "Comment dire un désaccord à mon équipe
# sans la braquer ?" matches "Parler vrai" word for word at 0.20. Measured 2026-12-06: the
# relevance dev split is unchanged (0.49), "nothing fits" stays 1.00. A lower bar for messages
# in which a program skill is heard cited two more acceptable passages on dev but a passage
# for a salary question in the chat suite ("entretien annuel" is a feedback cue): left out.
# Another embedder needs its own figures.
ON_TOPIC = 0.22
SIMILAR_ENOUGH = 0.15
PASSAGES = 4
# A learner's message shares words with the passage a coach would quote more often than USE
# finds it: chosen on the relevance dev split, the first cited passage is acceptable 0.44 of
# the time at the search default (0.7) and 0.49 with a dense share from 0.1 to 0.4.
CHAT_DENSE_WEIGHT = 0.3
COMPOSER_VERSION = "composer-chat-2026-11-23"
# The question bank is a source of questions, not of knowledge to cite.
KNOWLEDGE_KINDS = tuple(k for k in DocumentKind if k is not DocumentKind.QUESTION_BANK)
# Where the program's skills are written: the follow-up question comes from the nearest one.
SKILL_KINDS = (DocumentKind.PROGRAM_MODULE, DocumentKind.QUESTION_BANK)
_UNKNOWN_LABEL = re.compile(r"\s?\[S\d{1,2}\]")


def reply_events(
    request: ChatRequest,
    retriever: Retriever,
    llm: ChatModel | None,
    guard: SafetyGuard,
) -> Iterator[ChatEvent]:
    if retriever.organization_id != request.organization_id:
        raise ValueError("The retriever belongs to another organisation than the request.")
    earlier = [turn.content for turn in request.history if turn.role == "learner"]
    verdict = guard.check(request.message, earlier)
    if verdict.flagged:
        # No coaching content, no model call: the tier's reply; the app alerts if urgent.
        reply = _safe(request, verdict, llm, "message")
        yield from SafeStream(request.allowed_link_hosts).finish(reply.text)
        yield reply
        return
    sources = label_passages(
        retriever.search(
            request.message, PASSAGES, kinds=KNOWLEDGE_KINDS, dense_weight=CHAT_DENSE_WEIGHT
        )
    )
    relevant = relevant_sources(sources)
    skill = closest_skill(retriever, request)
    stream = SafeStream(request.allowed_link_hosts)
    stats = StreamStats()
    if llm is None:
        # The composer's reply exists whole: one piece, sanitised once. Cut into words, each
        # piece re-sanitised the text so far (about 60 passes per reply, for nothing).
        pieces: Iterator[str] = iter([compose_reply(request, relevant, skill)])
    else:
        pieces = llm.stream(chat_messages(request, relevant), stats=stats)
    for piece in pieces:
        yield from stream.feed(piece)
    reply = _checked(request, stream.raw, relevant, llm, guard, skill)
    reply.tokens_in, reply.tokens_out = stats.tokens_in, stats.tokens_out
    reply.first_token_ms = stats.first_token_ms
    reply.retrieved_ids = [s.chunk.id for s in sources]
    yield from stream.finish(reply.text)
    yield reply


def closest_skill(retriever: Retriever, request: ChatRequest) -> str:
    """The program skill a coach would hear in the message: the one whose words it holds
    (agents.themes); otherwise, or among skills it holds equally, that of the closest module or
    question-bank section (a bank section is headed by its skill). "" when none is found."""
    skills = {q.skill for q in request.bank}
    heard = heard_skills(request.message, sorted(skills))
    if len(heard) == 1:
        return heard[0]
    for passage in retriever.search(request.message, 3, kinds=SKILL_KINDS):
        chunk = passage.chunk
        found = chunk.skill or next((h for h in chunk.heading_path if h in skills), "")
        if found and (not heard or found in heard):
            return found
    return heard[0] if heard else ""


def relevant_sources(sources: Sequence[Source]) -> list[Source]:
    """The sources worth citing, in rank order: none when the message is off topic."""
    if max((s.similarity or 0.0 for s in sources), default=0.0) < ON_TOPIC:
        return []
    return [s for s in sources if (s.similarity or 0.0) >= SIMILAR_ENOUGH]


def _checked(
    request: ChatRequest,
    raw: str,
    relevant: Sequence[Source],
    llm: ChatModel | None,
    guard: SafetyGuard,
    skill: str = "",
) -> ChatReply:
    text = sanitize_reply(raw, request.allowed_link_hosts).strip()
    problems: list[str] = []
    if llm is not None:
        verdict = guard.check_reply(text)
        if verdict.flagged:
            return _safe(request, verdict, llm, "reply")
        # An empty reply (a small model may stop at once, or write only markup), one that
        # recites our instructions, or one in another language than the learner's (small
        # models drift into English) is replaced by the composer's.
        reasons = [] if any(c.isalnum() for c in text) else ["the model's reply was empty"]
        reasons = reasons or (
            ["the reply revealed the prompt"] if leaks_prompt(text, SYSTEM) else []
        )
        reasons = reasons or language_problems(text, request.language)
        if reasons:
            reply = _reply(request, compose_reply(request, relevant, skill), relevant, None)
            reply.fallback_used, reply.fallback_reason = True, reasons[0]
            return reply
        if count_questions(text) > 1:
            problems.append(f"asks {count_questions(text)} questions; at most one")
    known = {s.label for s in relevant}
    # A label the model made up is not a citation: it is removed from the text.
    text = _UNKNOWN_LABEL.sub(
        lambda m: m.group(0) if m.group(0).strip()[1:-1] in known else "", text
    )
    reply = _reply(request, text, relevant, llm)
    reply.problems = problems
    return reply


def _safe(
    request: ChatRequest, verdict: SafetyVerdict, llm: ChatModel | None, stage: Stage
) -> ChatReply:
    category = verdict.category or "self_harm"  # only flagged verdicts come here
    tier = TIER_OF[category]
    text = safe_reply(category, request.language, request.resources_for(tier))
    reply = _reply(request, text, [], llm)
    reply.safety = SafetyOutcome(category, tier, verdict.source or "", stage, verdict.scope)
    return reply


def _reply(
    request: ChatRequest,
    text: str,
    relevant: Sequence[Source],
    llm: ChatModel | None,
) -> ChatReply:
    return ChatReply(
        text=text,
        citations=citations_for(cited_labels(text), relevant),
        provider=llm.provider if llm else "composer",
        model=llm.model if llm else "",
        prompt_version=PROMPT_VERSION if llm else COMPOSER_VERSION,
        retrieved_ids=[],
        sources=list(relevant),
        found_relevant=bool(relevant),
    )
