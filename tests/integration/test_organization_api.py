"""The organisation's settings: a PATCH changes only what it sends, and with If-Match two
admins saving at once cannot overwrite each other without knowing it."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.support import OrgWorld, with_key

PATH = "/api/v1/organization"
RESOURCE = {"label": "Ligne d'écoute", "contact": "0 800 00 00 00"}


def test_a_policy_patch_changes_only_the_parts_it_sends(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    admin = with_key(client, worlds[0].admin)
    first = admin.patch(
        PATH, json={"policy": {"escalation_resources": [RESOURCE], "link_hosts": ["intra.example"]}}
    )
    assert first.status_code == 200, first.text

    second = admin.patch(PATH, json={"policy": {"aggregate_min_group_size": 8}})

    assert second.status_code == 200, second.text
    policy = admin.get(PATH).json()["policy"]
    assert policy["escalation_resources"] == [RESOURCE]  # kept
    assert policy["link_hosts"] == ["intra.example"]  # kept
    assert policy["aggregate_min_group_size"] == 8  # changed
    assert policy["languages"] == ["fr", "en"]  # the default, untouched


def test_a_save_based_on_an_old_read_is_refused_and_changes_nothing(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    admin = with_key(client, worlds[0].admin)
    read = admin.get(PATH)
    etag = read.headers["etag"]
    assert etag == f'"{read.json()["version"]}"'
    # Another admin saves in between.
    other = admin.patch(PATH, json={"policy": {"link_hosts": ["intra.example"]}})
    assert other.headers["etag"] != etag

    late = admin.patch(PATH, json={"policy": {"link_hosts": []}}, headers={"If-Match": etag})

    assert late.status_code == 412, late.text
    assert late.json()["error"]["code"] == "stale"
    assert "Read it again" in late.json()["error"]["message"]
    assert admin.get(PATH).json()["policy"]["link_hosts"] == ["intra.example"]
    fresh = admin.patch(
        PATH, json={"policy": {"link_hosts": []}}, headers={"If-Match": other.headers["etag"]}
    )
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["policy"]["link_hosts"] == []
    anything = admin.patch(PATH, json={"name": "Alpha SA"}, headers={"If-Match": "*"})
    assert anything.status_code == 200, anything.text


def test_the_version_is_the_same_for_the_same_settings(
    client: TestClient[Any], worlds: list[OrgWorld]
) -> None:
    admin = with_key(client, worlds[0].admin)
    before = admin.get(PATH).json()["version"]
    changed = admin.patch(PATH, json={"name": "Alpha renamed"}).json()["version"]
    back = admin.patch(PATH, json={"name": admin.get(PATH).json()["name"]}).json()["version"]

    assert changed != before
    assert back == changed  # saving the same values again is no change
