"""Import previews never applied are deleted once expired: by the command and by the next preview."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from conftest import World
from tpbis.libraries.models import Library

HEADER = "npp;nama;jenis;kode_wilayah;dukungan;sumber_dana;tahun"
ROW = "3524012002;Perpustakaan Desa Sukorame;desa_kelurahan;3524012002;full_support;;2024"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return tmp_path


def preview(client: Any) -> str:
    upload = SimpleUploadedFile("mitra.csv", f"{HEADER}\n{ROW}\n".encode())
    response = client.post(reverse("libraries:import_preview", args=["mitra"]), {"berkas": upload})
    token: str = response.context["token"]
    assert token
    return token


def age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_it_deletes_previews_older_than_a_day_with_the_command(world: World, media: Path, capsys: Any) -> None:
    old = preview(world.client_for(world.national))
    fresh = preview(world.client_for(world.province_35))
    old_path = media / "imports" / str(world.national.pk) / old
    fresh_path = media / "imports" / str(world.province_35.pk) / fresh
    age(old_path, 25)
    age(fresh_path, 23)
    call_command("imports_cleanup")
    assert "1 berkas pratinjau impor kedaluwarsa dihapus" in capsys.readouterr().out
    assert not old_path.exists()
    assert fresh_path.exists()


def test_it_deletes_expired_previews_when_someone_previews_again(world: World, media: Path) -> None:
    client = world.client_for(world.national)
    first = media / "imports" / str(world.national.pk) / preview(client)
    age(first, 30)
    second = media / "imports" / str(world.national.pk) / preview(client)
    assert not first.exists()
    assert second.exists()


def test_it_refuses_to_apply_an_expired_preview(world: World, media: Path, settings: Any) -> None:
    settings.IMPORT_PENDING_HOURS = 2
    client = world.client_for(world.national)
    token = preview(client)
    age(media / "imports" / str(world.national.pk) / token, 3)
    response = client.post(reverse("libraries:import_apply", args=["mitra"]), {"token": token})
    assert response.status_code == 404
    assert not Library.objects.filter(npp="3524012002").exists()
    assert not (media / "imports" / str(world.national.pk) / token).exists()


def test_it_has_nothing_to_clean_before_any_preview(media: Path, capsys: Any) -> None:
    call_command("imports_cleanup")
    assert "0 berkas pratinjau impor kedaluwarsa dihapus" in capsys.readouterr().out
