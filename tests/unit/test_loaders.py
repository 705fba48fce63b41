from __future__ import annotations

import io
import zlib

import pytest

from knowledge.documents import DocumentKind
from knowledge.language import detect_language
from knowledge.loaders import LoadError, load_document


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with `text`, written by hand (no PDF writer in the dependencies)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def minimal_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Nos valeurs", level=1)
    document.add_heading("Audace", level=2)
    document.add_paragraph("Oser proposer une idée nouvelle au comité.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_markdown_front_matter_gives_metadata() -> None:
    front = "---\ntitle: Séminaire\nkind: event\nevent_date: 2027-01-10\nposition: 3\n---\n"
    text = front + "# S\n\nCorps."
    document = load_document("event.md", text.encode())
    assert (document.title, document.kind, document.event_date.isoformat()) == (
        "Séminaire",
        DocumentKind.EVENT,
        "2027-01-10",
    )
    assert document.extra == {"position": 3}
    assert document.text.startswith("# S")


def test_upload_form_wins_over_front_matter() -> None:
    document = load_document(
        "v.md",
        b"---\nkind: value\n---\nHello team, we value care.",
        kind="culture",
        language="en",
        skill="feedback",
    )
    assert (document.kind, document.language, document.skill) == (
        DocumentKind.CULTURE,
        "en",
        "feedback",
    )


def test_html_docx_pdf_and_text_become_headed_text() -> None:
    html = (
        b"<html><title>T</title><script>evil()</script><h2>Audace</h2><p>Oser.</p><li>Un</li>"
        b"</html>"
    )
    assert load_document("a.html", html, kind="value").text == "## Audace\n\nOser.\n\n- Un"
    docx_text = load_document("a.docx", minimal_docx(), kind="value").text
    assert docx_text == "# Nos valeurs\n\n## Audace\n\nOser proposer une idée nouvelle au comité."
    assert (
        "Hello coaching" in load_document("a.pdf", minimal_pdf("Hello coaching"), kind="value").text
    )
    assert load_document("a.txt", "Bonjour l'équipe".encode(), kind="team").language == "fr"


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.md", b"  \n", "empty"),
        ("corrupt.pdf", b"%PDF-1.4\n" + zlib.compress(b"garbage") * 20, "could not be read"),
        ("binary.md", b"\x00\x01\x02\x03ELF" * 10, "binary"),
        ("photo.png", b"\x89PNG....", "Unsupported file type '.png'"),
        ("latin1.md", "---\nkind: value\n---\nCafé à l'équipe".encode("latin-1"), "not UTF-8"),
        ("fake.docx", b"PK\x03\x04 not really a zip", "could not be read"),
        ("nokind.md", b"# Title\n\nNo front matter, no kind.", "Say what kind"),
        ("badkind.md", b"---\nkind: gossip\n---\nText", "Unknown kind 'gossip'"),
        ("badyaml.md", b"---\nkind: [value\n---\nText", "not valid YAML"),
        ("badlang.md", b"---\nkind: value\nlanguage: de\n---\nText", "Unsupported language"),
        ("baddate.md", b"---\nkind: event\nevent_date: soon\n---\nText", "not a date"),
        ("scan.pdf", minimal_pdf(""), "No text could be extracted"),
    ],
)
def test_bad_files_fail_with_a_reason_a_person_can_act_on(
    name: str, data: bytes, reason: str
) -> None:
    with pytest.raises(LoadError) as caught:
        load_document(name, data)
    assert reason in caught.value.reason


def test_oversized_files_are_refused() -> None:
    with pytest.raises(LoadError, match="limit is 1 MB"):
        load_document("big.md", b"---\nkind: value\n---\n" + b"x" * 1_100_000, max_bytes=1_000_000)


def test_language_detection() -> None:
    assert detect_language("Nous voulons que chaque équipe puisse donner son avis.") == "fr"
    assert detect_language("We want every team to be able to share what they think.") == "en"
    assert detect_language("", default="en") == "en"
