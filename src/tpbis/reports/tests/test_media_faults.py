"""A media store that fails mid-submission leaves no record without its photos, and no stray files.

The disk fills up (or the mounted store goes away) after the first file of a submission is written:
nothing is saved, the manager is told in plain words, and what they typed is still on the form.
"""

from __future__ import annotations

import base64
import errno
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.test import Client

from conftest import World
from tpbis.api.tokens import token_create
from tpbis.reports.models import CommunityEngagement, Photo
from tpbis.reports.tests.test_entry import jpeg, post_engagement
from tpbis.reports.tests.test_verification import TODAY

pytestmark = pytest.mark.fault


@pytest.fixture
def store_fails_after_one_file(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The first file is written; every later write fails as a full disk does. Yields the names written."""
    written: list[str] = []
    real_save = FileSystemStorage._save

    def save(self: FileSystemStorage, name: str, content: Any) -> str:
        if written:
            raise OSError(errno.ENOSPC, "No space left on device")
        stored = real_save(self, name, content)
        written.append(stored)
        return stored

    monkeypatch.setattr(FileSystemStorage, "_save", save)
    yield written


def _payload(world: World, photos: int) -> dict[str, Any]:
    return {
        "library_id": world.lamongan_village.pk,
        "date": TODAY.isoformat(),
        "title": "Pelatihan membatik",
        "activity_field": "Ekonomi",
        "activity_kind": "Pelatihan",
        "audience": "Pelaku UMKM",
        "participants_male": 4,
        "participants_female": 11,
        "photos": [base64.b64encode(jpeg().read()).decode() for _ in range(photos)],
    }


def _files_in_media() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_it_saves_nothing_and_keeps_the_form_when_the_photo_store_fails(
    world: World, store_fails_after_one_file: list[str]
) -> None:
    manager = world.client_for(world.manager)
    response = post_engagement(
        manager, world, photos=2, title="Lomba mewarnai tingkat desa", participants="", participants_female="32"
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Foto tidak dapat disimpan" in page
    assert "Lomba mewarnai tingkat desa" in page  # what was typed is still there
    assert 'value="32"' in page
    assert CommunityEngagement.objects.count() == 0
    assert Photo.objects.count() == 0
    assert store_fails_after_one_file, "the first file was never written: the failure came too early"
    assert _files_in_media() == [], "a file of the refused submission stayed behind"


def test_it_answers_503_through_the_api_when_the_photo_store_fails(
    world: World, store_fails_after_one_file: list[str]
) -> None:
    _, key = token_create(user=world.manager, name="uji", read_only=False)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").post(
        "/api/v1/records/pelibatan", data=json.dumps(_payload(world, photos=2)), content_type="application/json"
    )

    assert response.status_code == 503, response.content
    assert "Foto tidak dapat disimpan" in response.json()["message"]
    assert CommunityEngagement.objects.count() == 0
    assert Photo.objects.count() == 0
    assert _files_in_media() == []
