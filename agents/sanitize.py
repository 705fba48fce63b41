"""Clean model output before it is rendered: the prompt-injection defence.

A document or a message can try to make the model emit HTML, tracking images or phishing links.
`sanitize_reply` keeps the words and drops the rest: HTML tags go (their text stays, script and
style contents do not), images become their alt text, links survive only as https links to an
allowed host (or a relative "/path"), invisible and control characters go. Rendering escapes
the text afterwards, so `<`, `>` and `&` stay plain characters here. Every step runs until
nothing changes, so the result is a fixed point: sanitising it again returns it unchanged.

`leaks_prompt` lets the chat agent refuse a reply that recites its instructions.
Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

LINK_REMOVED = "[link removed]"
_MAX_PASSES = 32

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# zero-width, bidi marks/embeddings/overrides/isolates, word joiners, BOM
_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")

_RAW_BLOCK = re.compile(r"<(script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.S | re.I)
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[\w.%+-]+@[\w.-]+)>")
_TAG = re.compile(r"""<[/!?]?[A-Za-z](?:=\s*"[^"]*"|=\s*'[^']*'|[^>])*+>|<[/!?]?[A-Za-z][^>]*>""")

_LABEL = r"\[((?:[^\[\]]|\[[^\[\]]*\])*+)\]"
_DEST = (
    r"""\(\s*(?:<([^<>\n]*)>|((?:[^\s()]|\([^\s()]*\))*+))"""
    r"""(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?\s*\)"""
)
_IMAGE_INLINE = re.compile("!" + _LABEL + _DEST)
_IMAGE_OTHER = re.compile("!" + _LABEL + r"(?:\[[^\[\]]*\])?")
_BANG = re.compile(r"!(?=\[)")
_LINK = re.compile(r"(?<!!)" + _LABEL + _DEST)
_DEFINITION = re.compile(
    r"""^ {0,3}\[([^\[\]]+)\]:[ \t]*(?:<([^<>\n]*)>|(\S+))"""
    r"""(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*(?:\n|\Z)""",
    re.M,
)
_REFERENCE = re.compile(_LABEL + r"(?:\[([^\[\]]*)\])?(?![(:\[])")
# whatever a renderer might still read as a link destination or a reference definition
_LINK_OPEN = re.compile(r"(\])(\()(\s*)(<[^<>\n]*>|[^\s()<>]*)")
_DEFINITION_LIKE = re.compile(r"^([ \t>*+\-\d.)]*\[[^\[\]]+\])(:)(\s*)(<[^<>\n]*>|\S*)", re.M)

_URL_END = r"""[^\s<>"'«»“”\[\]().,;:!?]"""
_URL_BODY = r"""[^\s<>"'«»“”\[\]()]*"""
_BARE = re.compile(
    r"(?P<keep>\]\(\s*<?[^\s()<>]*)"
    r"|(?P<scheme>\b(?:javascript|vbscript):\S*|\bdata:[a-z]+/\S*)"
    rf"|(?P<url>(?:https?|ftp)://{_URL_BODY}{_URL_END})"
    rf"|(?P<www>(?<![\w.@/-])www\.{_URL_BODY}{_URL_END})",
    re.I,
)
_HTTPS = re.compile(
    r"https://([a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*)\.?"
    r"(?::\d{1,5})?(?:[/?#]\S*)?",
    re.I,
)
_ENTITY = re.compile(r"&(?:#\w+|\w+);")


def strip_invisible(text: str) -> str:
    """Line breaks as \\n; control (but \\n, \\t), zero-width and bidi characters removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _INVISIBLE.sub("", _CONTROL.sub("", text))


def sanitize_reply(text: str, allowed_hosts: Collection[str]) -> str:
    """Model output made safe to render; idempotent (see the module docstring)."""
    hosts = frozenset(h.strip().strip(".").lower() for h in allowed_hosts if h.strip(" ."))
    for _ in range(_MAX_PASSES):
        cleaned = _one_pass(text, hosts)
        if cleaned == text:
            break
        text = cleaned
    return text


def leaks_prompt(reply: str, secret_prompt: str, min_overlap_words: int = 12) -> bool:
    """True when `reply` repeats `min_overlap_words` consecutive words of `secret_prompt`.

    Case, whitespace, punctuation and invisible characters do not hide a copy.
    """
    if min_overlap_words < 1:
        raise ValueError("min_overlap_words must be at least 1")
    secret, said = _words(secret_prompt), _words(reply)
    n = min_overlap_words
    runs = {tuple(secret[i : i + n]) for i in range(len(secret) - n + 1)}
    return any(tuple(said[i : i + n]) in runs for i in range(len(said) - n + 1))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", strip_invisible(text).casefold())


def _one_pass(text: str, hosts: frozenset[str]) -> str:
    text = strip_invisible(text)
    text = _between("<!--", "-->", text, keep_inside=False)
    text = _between("<![CDATA[", "]]>", text, keep_inside=True)
    text = _RAW_BLOCK.sub("", text)
    text = _AUTOLINK.sub(r"\1", text)
    last = text.rfind(">") + 1  # no tag can start after the last ">": keeps this linear
    text = _TAG.sub("", text[:last]) + text[last:]
    text = _IMAGE_INLINE.sub(r"\1", text)
    text = _IMAGE_OTHER.sub(r"\1", text)
    text = _BANG.sub("", text)
    text = _LINK.sub(_inline_link(hosts), text)
    text = _references(text, hosts)
    text = _LINK_OPEN.sub(_break_unsafe_destination(hosts), text)
    text = _DEFINITION_LIKE.sub(_break_unsafe_destination(hosts), text)
    return _BARE.sub(_bare(hosts), text)


def _between(start: str, end: str, text: str, *, keep_inside: bool) -> str:
    """`start…end` spans dropped (or unwrapped); an unclosed `start` is left as text."""
    parts: list[str] = []
    position = 0
    while (opening := text.find(start, position)) >= 0:
        closing = text.find(end, opening + len(start))
        if closing < 0:
            break
        parts.append(text[position:opening])
        if keep_inside:
            parts.append(text[opening + len(start) : closing])
        position = closing + len(end)
    return "".join(parts) + text[position:]


def _allowed(url: str, hosts: frozenset[str]) -> bool:
    if "\\" in url or any(c.isspace() for c in url):
        return False
    if url.startswith("/"):
        return not url.startswith("//") and not _ENTITY.search(url)
    match = _HTTPS.fullmatch(url)
    return match is not None and _host_allowed(match.group(1), hosts)


def _host_allowed(host: str, hosts: frozenset[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == h or host.endswith("." + h) for h in hosts)


def _inline_link(hosts: frozenset[str]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        label, url = match.group(1), match.group(2) or match.group(3) or ""
        return f"[{label}]({url})" if _allowed(url, hosts) else label

    return replace


def _references(text: str, hosts: frozenset[str]) -> str:
    """Top-level reference definitions go; references to them become inline links or labels."""
    definitions: dict[str, str] = {}

    def take(match: re.Match[str]) -> str:
        definitions.setdefault(_ref_key(match.group(1)), match.group(2) or match.group(3))
        return ""

    text = _DEFINITION.sub(take, text)
    if not definitions:
        return text

    def resolve(match: re.Match[str]) -> str:
        label, ref = match.group(1), match.group(2)
        url = definitions.get(_ref_key(ref or label))
        if url is None:
            return match.group(0)
        return f"[{label}]({url})" if _allowed(url, hosts) else label

    return _REFERENCE.sub(resolve, text)


def _ref_key(label: str) -> str:
    return " ".join(label.split()).casefold()


def _break_unsafe_destination(hosts: frozenset[str]) -> Callable[[re.Match[str]], str]:
    """`](x` or a `[ref]: x` line that a renderer could follow: kept only towards an allowed
    URL, otherwise broken with a space (`] (x`, `[ref] : x`) so it renders as plain text."""

    def replace(match: re.Match[str]) -> str:
        before, opener, space, url = match.groups()
        target = url[1:-1] if url.startswith("<") else url
        if (opener == ":" and not target) or _allowed(target, hosts):
            return match.group(0)
        return f"{before} {opener}{space}{url}"

    return replace


def _bare(hosts: frozenset[str]) -> Callable[[re.Match[str]], str]:
    def replace(match: re.Match[str]) -> str:
        if match.group("keep") is not None:
            return match.group(0)
        if match.group("scheme") is not None:
            return LINK_REMOVED
        url = match.group(0)
        if match.group("www") is not None:
            host = re.split(r"[/:?#]", url, maxsplit=1)[0]
            return url if _host_allowed(host, hosts) else LINK_REMOVED
        return url if _allowed(url, hosts) else LINK_REMOVED

    return replace
