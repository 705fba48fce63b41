"""The rules' prefix index: it may offer a rule that does not match, never hide one that does."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from agents.safety import rules as safety_rules
from agents.safety.replies import _REPLY_BENIGN, REPLY_RULES
from agents.safety.rule_index import PREFIX, PrefixIndex, prefixes
from agents.safety.rules import BENIGN, REQUEST_RULES, RuleSet, compile_pattern, normalise

ROOT = Path(__file__).resolve().parents[2]


def test_prefixes_enumerate_literals_alternatives_options_and_small_sets() -> None:
    pattern = compile_pattern(r"(je|j') ?veux|kill[se]? (him|her)|(the )?whole box")

    found = prefixes(pattern)

    assert found is not None
    assert {"je v", "jeve", "j ve", "jveu", "kill", "the ", "whol"} <= found
    assert all(len(start) <= PREFIX for start in found)


def test_a_prefix_ends_where_the_pattern_stops_being_enumerable() -> None:
    assert prefixes(compile_pattern(r"a\w+ b")) == frozenset({"a"})
    assert prefixes(compile_pattern(r"ab|c[^x]d")) == frozenset({"ab", "c"})


@pytest.mark.parametrize(
    "pattern",
    [
        re.compile(r"kill"),  # no word boundary first: a match may start anywhere
        compile_pattern(r"(\w+ )?kill"),  # may start with any word
        compile_pattern(r"x?"),  # matches the empty string
        re.compile(r"\bkill", re.IGNORECASE),
    ],
)
def test_patterns_without_a_usable_prefix_are_searched_in_every_sentence(
    pattern: re.Pattern[str],
) -> None:
    assert prefixes(pattern) is None
    index = PrefixIndex([compile_pattern("zebra"), pattern])

    assert list(index.candidates("nothing here")) == [1]


def test_the_index_offers_a_rule_only_where_one_of_its_prefixes_starts_a_word() -> None:
    index = PrefixIndex([compile_pattern("killing (me|us)"), compile_pattern("burn ?out")])

    assert list(index.candidates("this job is burning me out")) == [1]
    assert list(index.candidates("a skill i lack")) == []  # "kill" inside a word
    assert list(index.candidates("it is killing me, total burnout")) == [0, 1]


def _texts(*names: str) -> list[str]:
    return [
        json.loads(line)["text"]
        for name in names
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.mark.parametrize(
    ("rules", "masks", "at_least"),
    [(REQUEST_RULES, (BENIGN,), 300), (REPLY_RULES, (BENIGN, _REPLY_BENIGN), 10)],
    ids=["request", "reply"],
)
def test_every_rule_that_matches_a_sentence_is_offered_for_it(
    rules: RuleSet, masks: tuple[re.Pattern[str], ...], at_least: int
) -> None:
    # The guard's frozen test split and its unusual text: about 1,500 messages of every
    # category, long and short, with typos, in both languages (the corpus was checked the same
    # way when the index was written: 13,371 texts, no rule hidden).
    texts = _texts("evals/datasets/safety/test.jsonl", "evals/datasets/safety/unusual-test.jsonl")
    hidden = []
    matched = 0
    for text in texts:
        masked = normalise(text)
        for mask in masks:
            masked = mask.sub(" ~ ", masked)
        for sentence in safety_rules._SENTENCE_END.split(masked):
            offered = {id(rule) for rule in rules.candidates(sentence)}
            for rule in rules.rules:
                if rule.pattern.search(sentence):
                    matched += 1
                    if id(rule) not in offered:
                        hidden.append((rule.pattern.pattern[:60], sentence))
    assert matched >= at_least  # the check saw rules match, not only sentences nothing matches
    assert hidden == []
