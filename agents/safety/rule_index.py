"""Which rules can match a sentence, read from the first characters each rule can start with.

Every rule used to be searched in every sentence of a message: about 280 regular expressions,
most of them an alternation of words that no position of an ordinary sentence begins. Python's
engine tries such a pattern at every word boundary (a pattern opening with `\\b` gets no prefix
optimisation), which made the rules about a third of the guard's time on a long message.

`PrefixIndex` reads, from each compiled pattern, the strings of up to PREFIX characters a match
can begin with, and keeps for a sentence only the rules one of whose prefixes starts at one of
its word boundaries. The reading over-approximates: a part of a pattern it cannot enumerate (a
`\\w`, a negated set) ends the prefix there, and a rule with no usable prefix is searched in
every sentence. So the rules found are exactly those found by searching them all; the unit
tests check it over every message of the guard's corpus and evaluation sets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

# Characters of a prefix. Four tells "je v" (je vais, je veux) from "je s" (je suis) and
# "kill" from "kin"; more grows the enumeration of word alternations for little gain.
PREFIX = 4
# An enumeration past this many prefixes (nested alternations of long word lists) is dropped
# and its rule searched everywhere: building the index stays well under a second.
MAX_PREFIXES = 20_000
# A character set of at most this many characters is enumerated ("[ae]", "[fv]").
MAX_SET = 8

_BOUNDARY = re.compile(r"\b")
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT))


class _TooMany(Exception):
    """The enumeration outgrew MAX_PREFIXES: the rule gets no index entry."""


def prefixes(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The strings (of at most PREFIX characters) every match of `pattern` starts with one of,
    or None when they cannot be told (the pattern does not open with a word boundary, can
    match the empty string, or its openings are too many to list)."""
    items = list(sre_parse.parse(pattern.pattern, pattern.flags))
    if pattern.flags & re.IGNORECASE or not items or items[0] != (sre.AT, sre.AT_BOUNDARY):
        return None
    found: set[str] = set()
    try:
        _expand(tuple(items[1:]), "", found)
    except (_TooMany, RecursionError):
        return None
    if "" in found:
        return None
    return frozenset(found)


def _expand(items: tuple[Any, ...], prefix: str, found: set[str]) -> None:
    """Adds to `found` every prefix a match of `items`, preceded by `prefix`, can begin with.
    Stopping early is always sound: the match then begins with the shorter `prefix`."""
    if len(prefix) >= PREFIX or not items:
        found.add(prefix[:PREFIX])
        if len(found) > MAX_PREFIXES:
            raise _TooMany
        return
    (op, av), rest = items[0], items[1:]
    if op is sre.LITERAL:
        _expand(rest, prefix + chr(av), found)
    elif op is sre.IN and (chars := _set_chars(av)) is not None:
        for char in chars:
            _expand(rest, prefix + char, found)
    elif (ways := _ways_on(op, av, rest)) is not None:
        for way in ways:
            _expand(way, prefix, found)
    else:  # any other character class, a back-reference...: the prefix ends here
        found.add(prefix)


def _ways_on(op: Any, av: Any, rest: tuple[Any, ...]) -> list[tuple[Any, ...]] | None:
    """The item sequences a match may go on with, for a part that consumes nothing itself (an
    assertion, a group, an alternation, a repeat); None for a part that consumes characters."""
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return [rest]  # consumes nothing; skipping it only widens the set
    if op is sre.SUBPATTERN:
        return [(*av[3], *rest)]
    if op is getattr(sre, "ATOMIC_GROUP", None):
        return [(*av, *rest)]
    if op is sre.BRANCH:
        return [(*alternative, *rest) for alternative in av[1]]
    if op in _REPEATS:
        low, high, body = av
        ways = [rest] if low == 0 else []
        if high != 0:
            again = (op, (max(low - 1, 0), high if high is sre.MAXREPEAT else high - 1, body))
            ways.append((*body, again, *rest))
        return ways
    return None


def _set_chars(members: list[tuple[Any, Any]]) -> list[str] | None:
    """The characters of a small set such as `[ae]` or `[0-3]`, or None."""
    chars: list[str] = []
    for op, av in members:
        if op is sre.LITERAL:
            chars.append(chr(av))
        elif op is sre.RANGE and av[1] - av[0] < MAX_SET:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        else:
            return None
    return chars if len(chars) <= MAX_SET else None


class PrefixIndex:
    """For a sentence, the positions (in the order given) of the patterns that may match it."""

    def __init__(self, patterns: Sequence[re.Pattern[str]]) -> None:
        self._always: list[int] = []
        by_prefix: dict[str, list[int]] = {}
        for position, pattern in enumerate(patterns):
            starts = prefixes(pattern)
            if starts is None:
                self._always.append(position)
                continue
            for start in starts:
                by_prefix.setdefault(start, []).append(position)
        self._by_prefix = by_prefix
        self.indexed = len(patterns) - len(self._always)

    def candidates(self, sentence: str) -> Iterator[int]:
        """The positions of the patterns one of whose prefixes starts at a word boundary of
        `sentence`, and of those without a prefix, in increasing order."""
        heads = {
            sentence[at : at + size]
            for at in (m.start() for m in _BOUNDARY.finditer(sentence))
            for size in range(1, PREFIX + 1)
        }
        chosen = set(self._always)
        for head in heads:
            chosen.update(self._by_prefix.get(head, ()))
        return iter(sorted(chosen))
