"""The reminder pages need no inline code (the strict content security policy would block it)."""

from __future__ import annotations

from conftest import World
from tpbis.core.tests.test_content_security_policy import policy_problems
from tpbis.reminders.services import reminders_send
from tpbis.reminders.tests.helpers import TODAY


def test_the_reminder_pages_need_no_inline_code(world: World) -> None:
    reminders_send(today=TODAY)
    client = world.client_for(world.province_35)
    paths = [
        "/pengingat/",
        "/pengingat/aturan/tanpa_akun/?wilayah=35",
        f"/pengingat/pratinjau/?tanggal={TODAY}",
        "/pengingat/log/",
    ]
    problems = [problem for path in paths for problem in policy_problems(client, path)]
    assert not problems, "\n".join(problems)
