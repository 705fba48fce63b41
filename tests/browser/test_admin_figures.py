"""The admin's figures page in a real browser: a group under the minimum size shows no figure;
the admin lowers the minimum on the policy page, one more learner joins, and the counts appear.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import uuid4

import httpx

from tests.browser.conftest import Browser, Server
from tests.browser.test_admin import admin_browser, world  # noqa: F401
from tests.browser.test_loop import css, wait
from tests.support import OrgWorld


def _enroll_one_more(server: Server, world: OrgWorld) -> None:  # noqa: F811
    headers = {"Authorization": f"Bearer {world.admin.api_key}"}
    user = httpx.post(
        f"{server.url}/api/v1/users",
        headers=headers,
        json={"email": f"x-{uuid4().hex[:8]}@x.example", "display_name": "X", "role": "learner"},
        timeout=10,
    )
    assert user.status_code == 201, user.text
    enrollment = httpx.post(
        f"{server.url}/api/v1/enrollments",
        headers=headers,
        json={
            "learner_id": user.json()["id"],
            "coach_id": str(world.coach.id),
            "program_id": str(world.program_id),
        },
        timeout=10,
    )
    assert enrollment.status_code == 201, enrollment.text


def test_figures_appear_only_for_a_group_large_enough(
    server: Server,
    open_browser: Callable[..., Browser],
    world: OrgWorld,  # noqa: F811
) -> None:
    admin = admin_browser(open_browser, world)
    css(admin, "nav a[href='/admin/figures']").click()
    row = css(admin, f"#program-{world.program_id}")
    assert row.get_attribute("data-suppressed") == "true"  # 2 learners, minimum 5
    assert "5" in row.text
    admin.shot("figures-hidden")

    admin.go("/admin/policy")
    box = css(admin, "#min_group")
    box.clear()
    box.send_keys("3")
    css(admin, "#policy-form button[type=submit]").click()
    wait(admin, lambda d: css(admin, "#policy-form .outcome").text.strip())
    admin.go("/admin/policy")
    assert css(admin, "#min_group").get_attribute("value") == "3"

    _enroll_one_more(server, world)
    admin.go("/admin/figures")
    row = css(admin, f"#program-{world.program_id}")
    assert row.get_attribute("data-suppressed") == "false"
    assert css(row, "[data-figure=learners]").text == "3"
    assert css(row, "[data-figure=sessions]").text == "2"  # one seeded session per learner
    admin.shot("figures-shown")
    assert admin.console_errors() == []
