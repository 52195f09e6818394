"""Export tests run background tasks in the same process, at once (django-tasks' ImmediateBackend)."""

from __future__ import annotations

from typing import Any

import pytest

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    settings.TASKS = IMMEDIATE
