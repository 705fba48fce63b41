"""Knowledge through the HTTP API: upload, background indexing, search, citations, isolation."""

from __future__ import annotations

import time
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.support import As, OrgWorld, with_key, with_session

DOCS = "/api/v1/knowledge/documents"


def upload(caller: As, name: str, data: bytes, **form: str) -> Any:
    return caller.request("POST", DOCS, files={"file": (name, data)}, data=form)


def wait_indexed(caller: As, document_id: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        document: dict[str, Any] = caller.get(f"{DOCS}/{document_id}").json()
        if document["status"] in ("indexed", "failed"):
            return document
        time.sleep(0.1)
    raise AssertionError(f"document {document_id} still {document['status']} after {timeout}s")


def values_md(canary: str) -> bytes:
    return (
        f"---\nkind: value\nlanguage: fr\n---\n# Valeurs\n\n## Parler vrai\n\nDire son désaccord "
        f"avec respect, en réunion comme à l'atelier. {canary}\n"
    ).encode()


def test_upload_is_indexed_in_the_background_then_searchable(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    alpha, _ = worlds
    admin = with_session(client, alpha.admin)
    response = upload(admin, "valeurs.md", values_md("CANARY-ALPHA"))
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "pending"
    document = wait_indexed(admin, response.json()["id"])
    assert (document["status"], document["kind"], document["version"]) == ("indexed", "value", 1)
    assert document["chunk_count"] == 1

    coach = with_key(client, alpha.coach)
    hits = coach.get("/api/v1/knowledge/search", params={"q": "comment dire un désaccord"}).json()
    assert hits[0]["document_name"] == "valeurs.md"
    assert hits[0]["heading_path"] == ["Valeurs", "Parler vrai"]
    # A citation opens the exact passage, for anyone in the organisation.
    passage = with_key(client, alpha.learners[0]).get(
        f"/api/v1/knowledge/passages/{hits[0]['chunk_id']}"
    )
    assert passage.status_code == 200
    assert "CANARY-ALPHA" in passage.json()["text"]

    # Same bytes again: unchanged. New bytes: version 2 replaces version 1.
    again = upload(admin, "valeurs.md", values_md("CANARY-ALPHA"))
    assert again.json()["status"] == "indexed"
    updated = upload(admin, "valeurs.md", values_md("CANARY-ALPHA v2"))
    assert wait_indexed(admin, updated.json()["id"])["version"] == 2
    old = coach.get(f"/api/v1/knowledge/passages/{hits[0]['chunk_id']}")
    assert old.status_code == 404

    assert admin.delete(f"{DOCS}/{document['id']}").status_code == 204
    assert coach.get("/api/v1/knowledge/search", params={"q": "désaccord"}).json() == []


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.md", b"", "empty"),
        ("binary.md", b"\x00\x01\x02 binary", "binary"),
        ("scan.pdf", b"%PDF-1.4 this is not a pdf", "could not be read"),
        ("photo.png", b"\x89PNG", "Unsupported file type"),
        ("latin.md", "---\nkind: value\n---\nCafé".encode("latin-1"), "UTF-8"),
        ("nokind.md", b"# Hello\n\nNo kind given.", "kind"),
    ],
)
def test_bad_files_are_refused_with_what_to_fix(
    client: TestClient[Any], worlds: list[OrgWorld], name: str, data: bytes, reason: str
) -> None:
    admin = with_key(client, worlds[0].admin)
    response = upload(admin, name, data)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("document_rejected", "file")
    assert reason in error["message"]
    assert admin.get(DOCS).json()["items"] == []  # nothing stored, nothing indexed


def test_form_metadata_and_size_limit(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    admin = with_key(client, worlds[0].admin)
    response = upload(admin, "notes.txt", "Notre équipe apprend ensemble.".encode(), kind="team")
    assert wait_indexed(admin, response.json()["id"])["kind"] == "team"
    assert upload(admin, "x.txt", b"hello", kind="gossip").status_code == 400
    big = upload(admin, "big.txt", b"a " * 6_000_000, kind="team")
    assert big.status_code == 400
    assert "limit" in big.json()["error"]["message"]


def test_roles_and_tenants(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    alpha, beta = worlds
    beta_admin = with_key(client, beta.admin)
    document = upload(beta_admin, "beta.md", values_md("CANARY-BETA")).json()
    wait_indexed(beta_admin, document["id"])
    beta_hit = beta_admin.get("/api/v1/knowledge/search", params={"q": "désaccord"}).json()[0]

    learner = with_key(client, alpha.learners[0])
    assert upload(learner, "x.md", values_md("x")).status_code == 403
    assert with_key(client, alpha.coach).get(DOCS).status_code == 403
    assert learner.get("/api/v1/knowledge/search", params={"q": "x"}).status_code == 403
    alpha_admin = with_key(client, alpha.admin)
    assert alpha_admin.get(f"{DOCS}/{document['id']}").status_code == 404
    assert alpha_admin.delete(f"{DOCS}/{document['id']}").status_code == 404
    for mode in ("hybrid", "dense", "lexical"):
        hits = alpha_admin.get(
            "/api/v1/knowledge/search", params={"q": "CANARY-BETA désaccord", "mode": mode}
        )
        assert hits.status_code == 200
        assert "CANARY-BETA" not in hits.text
    foreign = alpha_admin.get(f"/api/v1/knowledge/passages/{beta_hit['chunk_id']}")
    assert foreign.status_code == 404


def test_an_outdated_index_answers_503_with_what_to_do(
    client: TestClient[Any], worlds: list[OrgWorld], settings: Any, app: Any
) -> None:
    import sqlite3

    from app.asgi import create_app

    alpha, _ = worlds
    admin = with_key(client, alpha.admin)
    wait_indexed(admin, upload(admin, "valeurs.md", values_md("C")).json()["id"])
    [catalogue] = (settings.knowledge_dir / "orgs").glob("*/catalogue.sqlite")
    with sqlite3.connect(catalogue) as db:
        db.execute("PRAGMA user_version=0")  # as written by an older version of Interlude
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as fresh:
        response = with_key(fresh, alpha.coach).get("/api/v1/knowledge/search", params={"q": "x"})
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "knowledge_unavailable"
    assert "interlude knowledge reindex" in error["message"]


@pytest.mark.parametrize("stage", ["read_not_written", "written_not_recorded"])
def test_a_document_deleted_while_it_is_indexed_leaves_nothing_searchable(
    client: TestClient[Any],
    worlds: list[OrgWorld],
    monkeypatch: pytest.MonkeyPatch,
    stage: str,
) -> None:
    """The indexing thread is held while the admin deletes the document: after the file was
    read but before its passages are written, or after they are written but before the
    document's row says so."""
    import threading

    from knowledge.base import OrganizationKnowledge

    started, release = threading.Event(), threading.Event()
    original = OrganizationKnowledge.index_document

    def held(self: OrganizationKnowledge, *args: Any, **kwargs: Any) -> Any:
        if stage == "written_not_recorded":
            result = original(self, *args, **kwargs)
            started.set()
            release.wait(30)
            return result
        started.set()
        release.wait(30)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(OrganizationKnowledge, "index_document", held)
    alpha, _ = worlds
    admin, coach = with_session(client, alpha.admin), with_key(client, alpha.coach)
    response = upload(admin, "valeurs.md", values_md("CANARY-DELETED"))
    assert started.wait(30), "the worker never started indexing"

    assert admin.delete(f"{DOCS}/{response.json()['id']}").status_code == 204
    release.set()

    deadline = time.monotonic() + 30
    while (
        admin.get(DOCS).json()["items"]
        or coach.get("/api/v1/knowledge/search", params={"q": "dire son désaccord"}).json()
    ):
        assert time.monotonic() < deadline, "the deleted document is still there"
        time.sleep(0.2)
    time.sleep(1.5)  # the worker has finished with it: nothing comes back later
    assert coach.get("/api/v1/knowledge/search", params={"q": "dire son désaccord"}).json() == []
