"""A hostile spreadsheet is refused on the preview page and by the command, and nothing is stored."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from conftest import World
from tpbis.core.tests.spreadsheets import hostile_xlsx
from tpbis.libraries.models import Library


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return tmp_path


@pytest.fixture
def bomb() -> bytes:
    out = io.BytesIO()
    hostile_xlsx(out, rows=3_000, chars=20_000)  # 60 MB of sheet XML
    return out.getvalue()


def test_it_refuses_a_spreadsheet_bomb_on_the_preview_page(world: World, media: Path, bomb: bytes) -> None:
    client = world.client_for(world.national)
    before = Library.objects.count()
    url = reverse("libraries:import_preview", args=["mitra"])
    response = client.post(url, {"berkas": SimpleUploadedFile("mitra.xlsx", bomb)})
    assert response.status_code == 200
    assert "terlalu besar setelah dibuka" in response.content.decode()
    assert response.context["token"] == ""
    assert Library.objects.count() == before
    assert not (media / "imports").exists()


def test_it_refuses_a_row_past_the_limit_in_the_command(
    world: World, settings: Any, tmp_path: Path, capsys: Any
) -> None:
    settings.IMPORT_MAX_ROWS = 2
    header = "npp;nama;jenis;kode_wilayah;dukungan;sumber_dana;tahun"
    rows = [f"35240120{n:02};Perpus {n};desa_kelurahan;3524012002;full_support;;2024" for n in range(3)]
    path = tmp_path / "mitra.csv"
    path.write_text("\n".join([header, *rows]))
    with pytest.raises(CommandError):
        call_command("import_libraries", str(path))
    assert "baris 4, kolom -: Berkas berisi lebih dari 2 baris data" in capsys.readouterr().err
    assert not Library.objects.filter(name__startswith="Perpus ").exists()
