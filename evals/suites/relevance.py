"""Relevance: does the companion quote the passage a coach would pick, ask from the right skill,
and do plans keep what the session agreed and draw on the closest value or strategy?

Measured on a labelled set written from the packs only, by a hand that never saw the agents
(`evals/datasets/relevance/`, frozen by hash; `relevance-dev/` is the split to tune on). A
passage is named by its pack file and its section heading, so labels survive re-chunking.

`plan_reflection_on_goal` is the share of plans whose reflection items all follow the session's
goal in its labelled direction (`give`, `receive`, `both`, `other`). The judge is lexical, so anyone
can check a verdict by eye (`reflection_on_goal`):
- a reflection *restates the goal* when at least RESTATED of the goal's content words (4
  letters or more, a few function words aside) are in it: the goal in the learner's terms;
- it *leans* to giving or receiving when it holds a whole cue word of that direction
  (GIVE_CUES, RECEIVE_CUES, French and English), beyond the goal's own words when restated;
- `give` / `receive`: on goal when it restates the goal or leans its way, and does not lean the
  other way; `both`: restates the goal or leans both ways; `other`: restates the goal and
  leans neither way (a goal about daring, listening or calm asked as a feedback question is
  off goal).
Limits: a paraphrase in other words than the goal's and the cue lists is judged off goal (the
judge is strict with a model's rewording); a restated goal wrapped in an unrelated question
passes; the cue lists are short and were written from the label definitions in
`relevance/README.md`, not tuned on cases. Read failures before trusting a small change.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from agents.checks import count_questions
from agents.grounding import COMPANY_KINDS
from agents.llm import ModelError
from agents.plan import draft_plan
from evals.context import DATASETS, EvalContext, read_dataset
from evals.metrics import rate
from evals.suites.chat import chat_request, module_prompts, reply_to

TITLE_SEPARATOR = " › "
# Which split a case belongs to, by the first part of its id (`dev-chat-001`).
SPLIT_OF_PREFIX = {"rel": "relevance", "dev": "relevance-dev", "train": "relevance-train"}
RESTATED = 0.6
_TOKEN = re.compile(r"\w+")
_FUNCTION_WORDS = frozenset(
    "avec dans pour sans quand elle elles nous vous leur leurs votre notre cette plus "
    "moins très tout tous aussi mais être avoir fait faire that this with what when "
    "their your from into about more very than them they have just".split()
)
# Whole words (regular expressions) of each direction, from the labels' definitions: giving
# feedback or saying a hard thing; receiving criticism or asking for it.
GIVE_CUES = (
    r"donn(e|es|ent|er|ez|é|ons|ant|ait|erez|eriez)",
    r"dire",
    r"dites?",
    r"formul\w*",
    r"exprim\w*",
    r"signal\w*",
    r"recadr\w*",
    r"annonc\w*",
    r"giv\w*",
    r"gave",
    r"tell\w*",
    r"told",
    r"say\w*",
    r"said",
    r"rais(e|es|ed|ing)",
    r"voic(e|es|ed|ing)",
)
RECEIVE_CUES = (
    r"re[çc]u[es]*",
    r"recev\w*",
    r"re[çc]oi\w*",
    r"accueil\w*",
    r"critiqu\w*",
    r"sollicit\w*",
    r"demand\w*",
    r"réagi\w*",
    r"braqu\w*",
    r"justifi\w*",
    r"receiv\w*",
    r"critici[sz]\w*",
    r"react\w*",
    r"defensive\w*",
    r"ask\w*",
    r"comments",
)


def acceptable(citation: Mapping[str, Any], passages: Iterable[Mapping[str, str]]) -> bool:
    """The citation points at one of the labelled sections (same file, heading on its path)."""
    path = str(citation.get("title", "")).split(TITLE_SEPARATOR)
    return any(citation.get("document_id") == p["doc"] and p["heading"] in path for p in passages)


def question_skill(text: str, bank: Sequence[tuple[str, str]]) -> str | None:
    """The skill of the question the reply asks, when it asks one of the organisation's (its
    bank's or a module's reflection prompt)."""
    folded = " ".join(text.split()).casefold()
    for skill, question in bank:
        if " ".join(question.split()).casefold() in folded:
            return skill
    return None


def _words(text: str) -> list[str]:
    return [w for w in _TOKEN.findall(text.casefold().replace("’", "'")) if not w.isdigit()]


def _cues(words: Sequence[str], cues: Sequence[str]) -> Counter[str]:
    return Counter(cue for cue in cues for w in words if re.fullmatch(cue, w))


def restates_goal(text: str, goal: str) -> bool:
    """At least RESTATED of the goal's content words are in the text."""
    content = {w for w in _words(goal) if len(w) >= 4 and w not in _FUNCTION_WORDS}
    return bool(content) and len(content & set(_words(text))) >= RESTATED * len(content)


def reflection_on_goal(text: str, goal: str, direction: str) -> bool:
    """Does a reflection address the goal in its labelled direction? (module docstring)"""
    words, restated = _words(text), restates_goal(text, goal)
    # A restated goal does not lean by its own words: only cue words beyond the goal's count.
    goal_words = _words(goal) if restated else []
    gives = bool(_cues(words, GIVE_CUES) - _cues(goal_words, GIVE_CUES))
    receives = bool(_cues(words, RECEIVE_CUES) - _cues(goal_words, RECEIVE_CUES))
    if direction == "give":
        return (restated or gives) and not receives
    if direction == "receive":
        return (restated or receives) and not gives
    if direction == "both":
        return restated or (gives and receives)
    return restated and not gives and not receives


def run_relevance(
    ctx: EvalContext, cases: list[dict[str, Any]]
) -> tuple[dict[str, float], list[str]]:
    """`cases` are the chat cases; the sessions of the same split, if it has any, are read
    alongside (`relevance-train` has none)."""
    prefix = cases[0]["id"].split("-")[0] if cases else ""
    split = SPLIT_OF_PREFIX.get(prefix, "relevance")
    chat, failures = _chat(ctx, cases)
    if not (DATASETS / split / "sessions.jsonl").exists():
        return chat, failures
    sessions = read_dataset(f"{split}/sessions")
    plans, plan_failures = _plans(ctx, sessions)
    return {**chat, **plans}, failures + plan_failures


def _chat(ctx: EvalContext, cases: list[dict[str, Any]]) -> tuple[dict[str, float], list[str]]:
    n: Counter[str] = Counter()
    failures: list[str] = []
    for case in cases:
        org = ctx.orgs[case["pack"]]
        request = chat_request(ctx, case["pack"], case["message"], case["language"], case["id"])
        try:
            reply = reply_to(ctx, request, case["pack"])
        except ModelError as error:
            n["errors"] += 1
            failures.append(f"{case['id']}: model error {error.kind}")
            continue
        n["turns"] += 1
        n["one_question"] += count_questions(reply.text) <= 1
        groups = ("all", case["kind"], case["language"])
        passages = case["acceptable_passages"]
        if passages:
            first = reply.citations[0] if reply.citations else None
            good = first is not None and acceptable(first, passages)
            for group in groups:
                n[f"cite_cases.{group}"] += 1
                n[f"cite_ok.{group}"] += good
            if not good:
                what = first["title"] if first else "nothing"
                failures.append(f"{case['id']}: cited {what}")
        else:
            n["none_cases"] += 1
            n["none_ok"] += not reply.citations
            if reply.citations:
                failures.append(f"{case['id']}: off topic, cited {reply.citations[0]['title']}")
        if case["acceptable_skills"]:
            bank = [(q.skill, q.text) for q in org.pack.questions]
            bank += [(p.skill, p.text) for p in module_prompts(org)]
            skill = question_skill(reply.text, bank)
            good_skill = skill in case["acceptable_skills"]
            for group in groups:
                n[f"skill_cases.{group}"] += 1
                n[f"skill_ok.{group}"] += good_skill
    metrics: dict[str, float] = {
        "chat_turns": n["turns"],
        "chat_one_question_rate": rate(n["one_question"], n["turns"]),
        "chat_no_citation_when_none": rate(n["none_ok"], n["none_cases"]),
        "chat_model_error_rate": rate(n["errors"], len(cases)),
    }
    for group in ("all", "situation", "question", "fr", "en"):
        suffix = "" if group == "all" else f".{group}"
        if n[f"cite_cases.{group}"]:
            metrics[f"chat_cited_acceptable{suffix}"] = rate(
                n[f"cite_ok.{group}"], n[f"cite_cases.{group}"]
            )
        if n[f"skill_cases.{group}"]:
            metrics[f"chat_question_skill_acceptable{suffix}"] = rate(
                n[f"skill_ok.{group}"], n[f"skill_cases.{group}"]
            )
    return metrics, failures


def _plans(ctx: EvalContext, sessions: list[dict[str, Any]]) -> tuple[dict[str, float], list[str]]:
    n: Counter[str] = Counter()
    failures: list[str] = []
    for case in sessions:
        org = ctx.orgs[case["pack"]]
        request = org.plan_request(
            case["goal"],
            focus_skills=tuple(case["focus_skills"]),
            notes=case["notes"],
            agreed_actions=tuple(case["agreed_actions"]),
            language=case["language"],
            seed=case["id"],
        )
        try:
            result = draft_plan(request, org.knowledge.retriever(), ctx.llm)
        except ModelError as error:
            n["errors"] += 1
            failures.append(f"{case['id']}: model error {error.kind}")
            continue
        n["plans"] += 1
        texts = " ".join(" ".join(i.text.split()) for i in result.items).casefold()
        for action in case["agreed_actions"]:
            # Kept verbatim: the coach's words inside an item (case, question marks, which an
            # action item may not hold, and the final stop aside).
            words = " ".join(action.replace("?", "").split()).rstrip(".!").casefold()
            kept = words in texts
            n["actions"] += 1
            n["actions_kept"] += kept
            if not kept:
                failures.append(f"{case['id']}: agreed action not kept: {action[:60]}")
        reflections = [i.text for i in result.items if i.kind == "reflection"]
        on_goal = bool(reflections) and all(
            reflection_on_goal(text, case["goal"], case["direction"]) for text in reflections
        )
        n["reflection_on_goal"] += on_goal
        if not on_goal:
            asked = reflections[0][:70] if reflections else "no reflection"
            failures.append(f"{case['id']}: reflection off goal ({case['direction']}): {asked}")
        company = [i for i in result.items if i.kind == "company_question"]
        for item in company:
            cited = [c for c in item.citations if c["kind"] in COMPANY_KINDS]
            good = any(acceptable(c, case["acceptable_company_passages"]) for c in cited)
            n["company"] += 1
            n["company_ok"] += good
            if not good:
                titles = [c["title"] for c in cited] or ["nothing"]
                failures.append(f"{case['id']}: company question cites {titles[0]}")
    return {
        "plans": n["plans"],
        "plan_reflection_on_goal": rate(n["reflection_on_goal"], n["plans"]),
        "plan_agreed_actions_kept": rate(n["actions_kept"], n["actions"]),
        "plan_company_passage_acceptable": rate(n["company_ok"], n["company"]),
        "plan_model_error_rate": rate(n["errors"], len(sessions)),
    }, failures
