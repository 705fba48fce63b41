"""Turn uploaded bytes into a `SourceDocument`, or a `LoadError` a person can act on.

Every format is normalised to text with Markdown headings (`# ...`), so chunking treats them
alike and the heading path can title each passage.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import PurePath
from typing import Any

import yaml

from knowledge.documents import LANGUAGES, DocumentKind, SourceDocument
from knowledge.language import detect_language

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
SUPPORTED = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
}
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class LoadError(ValueError):
    """The document cannot be indexed; `reason` says what to do about it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def load_document(
    name: str,
    data: bytes,
    *,
    kind: str | None = None,
    language: str | None = None,
    skill: str | None = None,
    event_date: date | None = None,
    max_bytes: int = MAX_DOCUMENT_BYTES,
) -> SourceDocument:
    """Load one file. Explicit arguments (the upload form) win over front matter."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUPPORTED:
        raise LoadError(
            f"Unsupported file type '{suffix or 'none'}': upload Markdown, text, HTML, PDF or DOCX."
        )
    if len(data) > max_bytes:
        raise LoadError(
            f"The file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB. "
            "Split it into smaller documents."
        )
    if not data.strip():
        raise LoadError("The file is empty.")
    fmt = SUPPORTED[suffix]
    meta: dict[str, Any] = {}
    if fmt == "markdown":
        text, meta = _front_matter(_decode_text(data))
    elif fmt == "text":
        text = _decode_text(data)
    elif fmt == "html":
        text, meta["title"] = _html_to_text(_decode_text(data))
    elif fmt == "pdf":
        text = _pdf_to_text(data)
    else:
        text = _docx_to_text(data)
    text = _CONTROL.sub("", text).replace("\r\n", "\n").strip()
    if not text:
        raise LoadError("No text could be extracted from this file (is it a scanned image?).")
    if event_date is not None:
        meta["event_date"] = event_date
    return _document(name, text, meta, kind=kind, language=language, skill=skill)


def _document(
    name: str,
    text: str,
    meta: dict[str, Any],
    *,
    kind: str | None,
    language: str | None,
    skill: str | None,
) -> SourceDocument:
    chosen_kind = kind or meta.get("kind")
    if not chosen_kind:
        raise LoadError(
            "Say what kind of document this is (front matter `kind:` or the upload form): "
            + ", ".join(k.value for k in DocumentKind)
            + "."
        )
    try:
        document_kind = DocumentKind(str(chosen_kind))
    except ValueError:
        raise LoadError(
            f"Unknown kind '{chosen_kind}': use one of "
            + ", ".join(k.value for k in DocumentKind)
            + "."
        ) from None
    chosen_language = str(language or meta.get("language") or detect_language(text))
    if chosen_language not in LANGUAGES:
        raise LoadError(f"Unsupported language '{chosen_language}': use fr or en.")
    event_date = meta.get("event_date")
    if event_date is not None and not isinstance(event_date, date):
        try:
            event_date = date.fromisoformat(str(event_date))
        except ValueError:
            raise LoadError(f"event_date '{event_date}' is not a date (YYYY-MM-DD).") from None
    title = str(meta.get("title") or _first_heading(text) or PurePath(name).stem)
    known = {"title", "kind", "language", "skill", "event_date"}
    return SourceDocument(
        name=name,
        text=text,
        title=title,
        kind=document_kind,
        language=chosen_language,
        skill=str(skill or meta.get("skill") or ""),
        event_date=event_date,
        extra={k: v for k, v in meta.items() if k not in known},
    )


def _decode_text(data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise LoadError("This looks like a binary file, not text. Upload the original document.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LoadError(
            "The file is not UTF-8 text. Save it as UTF-8 (e.g. 'Save as… UTF-8') and upload again."
        ) from None


def _front_matter(text: str) -> tuple[str, dict[str, Any]]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return text, {}
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise LoadError(
            f"The front matter (between the --- lines) is not valid YAML: {exc}"
        ) from None
    if not isinstance(meta, dict):
        raise LoadError("The front matter must be a list of `key: value` lines.")
    return text[match.end() :], meta


def _first_heading(text: str) -> str | None:
    for line in text.splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip() or None
    return None


def _html_to_text(html: str) -> tuple[str, str | None]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    title = soup.title.get_text(strip=True) if soup.title else None
    for tag in soup(["script", "style", "nav", "header", "footer", "noscript", "template"]):
        tag.decompose()
    blocks: list[str] = []
    for element in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "blockquote"]):
        words = element.get_text(" ", strip=True)
        if not words:
            continue
        if element.name and element.name[0] == "h":
            blocks.append("#" * int(element.name[1]) + " " + words)
        else:
            blocks.append(("- " if element.name == "li" else "") + words)
    if not blocks:  # no structure: keep the visible text
        blocks = [soup.get_text("\n", strip=True)]
    return "\n\n".join(blocks), title


def _pdf_to_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        encrypted = reader.is_encrypted
        pages = [] if encrypted else [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(
            f"This PDF could not be read ({type(exc).__name__}); it may be corrupt. "
            "Export it again and upload the new file."
        ) from None
    if encrypted:
        raise LoadError("This PDF is password-protected. Upload an unprotected copy.")
    return "\n\n".join(p.strip() for p in pages if p.strip())


def _docx_to_text(data: bytes) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise LoadError(
            f"This DOCX could not be read ({type(exc).__name__}); it may be corrupt or not a "
            "Word document. Save it again as .docx and upload the new file."
        ) from None
    blocks = []
    for paragraph in document.paragraphs:
        words = paragraph.text.strip()
        if not words:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        level = re.match(r"Heading (\d)", style)
        if level:
            blocks.append("#" * int(level.group(1)) + " " + words)
        elif style == "Title":
            blocks.append("# " + words)
        else:
            blocks.append(words)
    return "\n\n".join(blocks)
