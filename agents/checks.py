"""Checks on what the agents draft, in French and English: one open question, a micro-action,
the learner's language; plus small text helpers. Pure functions, no I/O.

Each check returns its problems as short English sentences that a developer and a repair prompt
can both use ("asks 2 questions; ask exactly one"); an empty list means the text is fine.

How `question_problems` reads a question: the *question clause* is the sentence that holds the
"?", cut into segments at commas, colons, semicolons, parentheses and dashes. Segments are read
in order; a context segment ("En repensant à mardi", "Looking back at Tuesday", "Si vous
deviez choisir") says nothing, and the first segment that starts like an open question (an
interrogative word, maybe after a preposition: "En quoi", "To what extent") or like a closed one
(an auxiliary, "Est-ce que", a verb-subject inversion) decides. A sentence with no such segment
is open only when a segment ends on an interrogative word ("Vous feriez comment ?"); a
hypothesis with nothing after it ("Et si vous essayiez… ?", "What if you…?") is advice.
Advice phrases ("vous devriez", "il faudrait", "you should", "you need to"…) count anywhere
outside quotations. Quoted words never count: « pourquoi ? » is not a second question.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

from agents.sanitize import leaks_prompt, sanitize_reply, strip_invisible
from knowledge.language import detect_language

__all__ = [
    "MAX_ACTION_CHARS",
    "MAX_ACTION_SENTENCES",
    "MAX_QUESTION_CHARS",
    "MIN_ACTION_CHARS",
    "MIN_QUESTION_CHARS",
    "action_problems",
    "count_questions",
    "language_problems",
    "leaks_prompt",
    "one_line",
    "question_problems",
    "sanitize_reply",
]

MIN_QUESTION_CHARS = 20
MAX_QUESTION_CHARS = 320
MIN_ACTION_CHARS = 20
MAX_ACTION_CHARS = 320
MAX_ACTION_SENTENCES = 3

_CLOSED_HINT = {
    "fr": "« comment », « qu'est-ce que », « en quoi » or « quel »",
    "en": "what, how, which or in what way",
}
_URL = re.compile(r"""(?i)\b(?:https?://|www\.)[^\s<>"«»“”]*[^\s<>"«»“”.,;:!?)\]']""")
_QUOTED = re.compile(r"«[^«»]*»|“[^“”]*”|\"[^\"\n]*\"")
_PAIRS = {"«": "»", "“": "”", '"': '"'}
_TRAILING = " \t\n\"'»”’)"
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"“(]?\s?[A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒÆ0-9])|\n+")
_SEGMENT_END = re.compile(r"[,;:()\[\]]|\s[–—-]\s")
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*'?")
_ELIDED = frozenset("qu l d n s m t j c jusqu lorsqu puisqu quoiqu".split())

_AUX = frozenset(
    "do does did is are am was were can could will would should shall may might must have has "
    "had don't doesn't didn't isn't aren't wasn't weren't can't cannot couldn't won't wouldn't "
    "shouldn't shan't mustn't haven't hasn't hadn't mightn't needn't".split()
)
_OPEN = frozenset(
    "what how why which who whom whose where when que qu' quoi quel quelle quels quelles lequel "
    "laquelle lesquels lesquelles auquel auxquels auxquelles duquel desquels desquelles comment "
    "pourquoi combien où quand qui".split()
)
_IN_SITU = _OPEN - {"que", "qu'", "quel", "quelle", "quels", "quelles", "whose"}
_OPEN_IF_QUESTION = frozenset({"quand", "où", "when", "where"})  # also start subordinate clauses
_PREPOSITIONS = frozenset(
    "à de d' du des au aux en sur avec pour par dans chez vers selon jusqu' jusque depuis sous "
    "contre entre parmi auprès face partir grâce lors autour in to at on for with from by of "
    "about under between into through towards toward after before during within among over".split()
)
_CLITICS = frozenset("ne n' le la les l' lui leur y en vous te t' se s' me m' nous".split())
_SUBJECTS = frozenset("vous tu il elle on ils elles je nous ce".split())
_FILLERS = tuple(
    tuple(f.split())
    for f in (
        "et|mais|alors|donc|puis|ensuite|enfin|finalement|concrètement|justement|maintenant|"
        "aujourd'hui|personnellement|ainsi|selon vous|à votre avis|d' après vous|pour vous|"
        "à vos yeux|au fond|en fait|du coup|de votre côté|de votre point de vue|and|but|so|then|"
        "now|also|finally|concretely|honestly|ultimately|personally|in your view|"
        "in your opinion|for you|in practice|looking back"
    ).split("|")
)
_ADVICE = re.compile(
    r"\bvous\s+devriez\b|\btu\s+devrais\b|\bil\s+faudrait\b|\bil\s+faut\s+que\s+(?:vous|tu)\b"
    r"|\bvous\s+feriez\s+mieux\b|\bvous\s+(?:avez|auriez)\s+intérêt\b"
    r"|\bne\s+(?:pensez|croyez|trouvez)-vous\s+pas\b|\bne\s+(?:penses|crois|trouves)-tu\s+pas\b"
    r"|\bn'(?:avez|auriez)-vous\s+pas\s+intérêt\b|\bne\s+(?:serait|vaudrait)-il\s+pas\b"
    r"|\bpourquoi\s+n(?:e\s+|')(?:\S+\s+){0,3}?pas\b"
    r"|\bavez-vous\s+(?:pensé\s+à|songé\s+à|envisagé|essayé)"
    r"|\byou\s+(?:should|ought\s+to|had\s+better)\b|\byou'd\s+(?:better|be\s+better\s+off)\b"
    r"|\bshouldn't\s+you\b|\bdon't\s+you\s+think\b|\bdo\s+you\s+not\s+think\b"
    r"|\bwouldn't\s+it\s+be\b|\bwould\s+it\s+not\s+be\b"
    r"|\bhave\s+you\s+(?:considered|thought\s+(?:about|of)|tried)\b"
    r"|\bwhy\s+(?:don't|do\s+not|not|wouldn't)\b"
    r"|\bpeut-être\s+(?:que\s+(?:vous|tu)|pourriez-vous|pourrais-tu)\b"
    r"|\bvous\s+pourriez\s+peut-être\b|\b(?:maybe|perhaps)\s+you\s+could\b"
)
_NEED_TO = re.compile(r"(\S+)\s+you\s+need\s+to\b|^you\s+need\s+to\b")


def question_problems(text: str, language: str) -> list[str]:
    """Problems with `text` as ONE open, non-directive question ([] when it is one)."""
    stripped = text.strip()
    if not any(c.isalpha() for c in stripped):
        return ["is empty; write one open question"]
    problems = _length_problems(stripped, MIN_QUESTION_CHARS, MAX_QUESTION_CHARS)
    prepared = _unwrap(_prepare(stripped))
    asked = count_questions(prepared)
    if asked == 0:
        return [*problems, "is not a question (no question mark); write one open question"]
    if asked > 1:
        return [*problems, f"asks {asked} questions; ask exactly one"]
    core = _unquoted(prepared)
    if not core.rstrip(_TRAILING).endswith("?"):
        problems.append("does not end with its question mark; end the text with the question")
    kind = _question_kind(core)
    if kind == "advice" or _gives_advice(core.lower()):
        problems.append(
            "gives advice disguised as a question; ask about the learner's own view instead"
        )
    elif kind == "closed":
        hint = _CLOSED_HINT.get(_lang(language), _CLOSED_HINT["en"])
        problems.append(f"is a closed (yes/no) question; open it with {hint}")
    return problems


def action_problems(text: str, language: str) -> list[str]:
    """Problems with `text` as a micro-action: 1 to 3 sentences, no question, sized to read."""
    del language  # same rules in both languages
    stripped = text.strip()
    if not any(c.isalpha() for c in stripped):
        return ["is empty; write one concrete action"]
    problems = _length_problems(stripped, MIN_ACTION_CHARS, MAX_ACTION_CHARS)
    if "?" in _URL.sub(" ", stripped):
        problems.append("contains a question; state the action without a question mark")
    sentences = [s for s in _SENTENCE_END.split(stripped) if any(c.isalpha() for c in s)]
    if len(sentences) > MAX_ACTION_SENTENCES:
        problems.append(f"has {len(sentences)} sentences; use one to {MAX_ACTION_SENTENCES}")
    return problems


def language_problems(text: str, language: str) -> list[str]:
    """A problem when the prose (quotes and URLs aside) is in the other language.

    Only French and English are judged; a text without stop words is taken as fine.
    """
    lang = _lang(language)
    if lang not in ("fr", "en"):
        return []
    found = detect_language(_unquoted(_prepare(text)), default=lang)
    return [] if found == lang else [f"written in {found}; the learner's language is {lang}"]


def count_questions(text: str) -> int:
    """Question marks, leaving out those inside URLs and quotations (« », “ ”, "…")."""
    return _unquoted(text).count("?")


def one_line(text: str, max_chars: int = 200) -> str:
    """`text` on one line, whitespace collapsed, cut at a word boundary with "…" if too long."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    line = " ".join(text.split())
    if len(line) <= max_chars:
        return line
    cut = line[: max_chars - 1]
    if line[max_chars - 1] != " " and " " in cut and cut.rfind(" ") >= max_chars // 2:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-–—") + "…"


def _length_problems(text: str, low: int, high: int) -> list[str]:
    if len(text) < low:
        return [f"is too short ({len(text)} characters; at least {low})"]
    if len(text) > high:
        return [f"is too long ({len(text)} characters; at most {high})"]
    return []


def _lang(language: str) -> str:
    return language.strip().lower()[:2]


def _prepare(text: str) -> str:
    text = unicodedata.normalize("NFC", strip_invisible(text))
    text = text.replace("’", "'").replace("ʼ", "'")
    return re.sub(r"[^\S\n]+", " ", text).strip()


def _unwrap(text: str) -> str:
    """A question wrapped whole in quotation marks, without them."""
    close = _PAIRS.get(text[:1])
    if close and len(text) > 1 and text.endswith(close):
        inner = text[1:-1]
        if text[0] not in inner and close not in inner:
            return inner.strip()
    return text


def _unquoted(text: str) -> str:
    return _QUOTED.sub(" zq ", _URL.sub(" zu ", text))


def _question_kind(core: str) -> str:
    """Open, closed or advice: the verdict on the sentence that holds the question mark."""
    head = core[: core.find("?")] if "?" in core else core
    sentence = _SENTENCE_END.split(head)[-1]
    segments = [_strip_fillers(_tokens(s)) for s in _SEGMENT_END.split(sentence)]
    segments = [s for s in segments if s]
    hypothesis = False
    for index, tokens in enumerate(segments):
        kind = _segment_kind(tokens, is_last=index == len(segments) - 1)
        if kind == "hypothesis":
            hypothesis = True
        elif kind is not None:
            return kind
    if hypothesis:
        return "advice"
    in_situ = any(_base(tokens[-1]) in _IN_SITU for tokens in segments)
    return "open" if in_situ else "closed"  # "Vous feriez comment, la prochaine fois ?"


def _segment_kind(tokens: list[str], *, is_last: bool) -> str | None:
    """What the start of one segment says: open, closed, advice, hypothesis or nothing."""
    if tokens[:2] == ["how", "about"] or (
        tokens[:2] == ["what", "about"] and len(tokens) > 2 and tokens[2].endswith("ing")
    ):
        return "advice"
    if tokens[0] in ("si", "if") or tokens[:2] == ["what", "if"]:
        return "open" if _embedded_open(tokens) else "hypothesis"
    start = 0
    while start < min(3, len(tokens) - 1) and tokens[start] in _PREPOSITIONS:
        start += 1
    if _base(tokens[start]) in _OPEN:  # None: "Quand vous repensez à mardi, …" is context
        return "open" if is_last or _asks(tokens, start) else None
    lead = 0
    while lead < min(3, len(tokens) - 1) and tokens[lead] in _CLITICS:
        lead += 1
    if tokens[0] in _AUX or tokens[0] == "est-ce" or _inverted(tokens[lead]):
        return "closed"
    if _embedded_open(tokens):
        return "open"
    # a subject before the inversion: "Votre équipe a-t-elle remarqué… ?"
    return "closed" if any(_inverted(t) for t in tokens) else None


def _asks(tokens: list[str], i: int) -> bool:
    """Whether the interrogative at `i` opens a question rather than a subordinate clause."""
    word, after = tokens[i], tokens[i + 1] if i + 1 < len(tokens) else ""
    if _base(word) not in _OPEN_IF_QUESTION:
        return True
    if _base(word) in ("when", "where"):
        return after in _AUX or "'" in word
    return any(_inverted(t) or t == "est-ce" for t in tokens[i + 1 :])


def _embedded_open(tokens: list[str]) -> bool:
    """An interrogative followed by an inversion or an auxiliary after a context phrase with no
    comma ("Avec le recul que retenez-vous… ?", "Thinking of Tuesday what did you learn?")."""
    return any(
        _base(word) in _OPEN and (_inverted(after) or after == "est-ce" or after in _AUX)
        for word, after in itertools.pairwise(tokens[1:])
    )


def _inverted(token: str) -> bool:
    parts = token.split("-")
    return len(parts) > 1 and parts[-1] in _SUBJECTS and token not in ("rendez-vous", "est-ce")


def _tokens(segment: str) -> list[str]:
    tokens: list[str] = []
    for word in _WORD.findall(segment.lower()):
        prefix, apostrophe, rest = word.partition("'")
        if apostrophe and prefix in _ELIDED:
            tokens.append(prefix + "'")
            tokens.extend(_tokens(rest) if rest else [])
        else:
            tokens.append(word)
    return tokens


def _strip_fillers(tokens: list[str]) -> list[str]:
    stripped = True
    while stripped and tokens:
        stripped = False
        for filler in _FILLERS:
            if tuple(tokens[: len(filler)]) == filler and len(tokens) > len(filler):
                tokens, stripped = tokens[len(filler) :], True
                break
    return tokens


def _base(token: str) -> str:
    """`what's` → `what`; French elisions and English negations are kept whole."""
    if token in _AUX or token.endswith("'") or "'" not in token:
        return token
    return token.split("'", maxsplit=1)[0]


def _gives_advice(lowered: str) -> bool:
    if _ADVICE.search(lowered):
        return True
    return any(m.group(1) is None or m.group(1) not in _AUX for m in _NEED_TO.finditer(lowered))
