"""What a gathering records: practices shared, follow-ups in the owner's work list, materials."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import World
from tpbis.audit.models import AuditEvent
from tpbis.gatherings.models import FollowUp, Material, SharedPractice
from tpbis.gatherings.tests.helpers import gathering_make

FOLLOWUP = {"problem": "Belum punya akun pengelola", "action": "Pendampingan membuat akun", "due_date": "2026-12-31"}


def prefixed(prefix: str, data: dict[str, object]) -> dict[str, object]:
    """The field names of a form on the gathering page, which carries several."""
    return {f"{prefix}-{name}": value for name, value in data.items()}


def _followup(world: World, client: object, gathering_pk: int) -> None:
    client.post(  # type: ignore[attr-defined]
        f"/gathering/{gathering_pk}/tindak-lanjut/",
        prefixed("tl", {**FOLLOWUP, "library": world.lamongan_village.pk, "owner": world.facilitator_3524.pk}),
    )


def test_a_follow_up_shows_in_the_owners_work_list_until_done(world: World) -> None:
    gathering = gathering_make(actor=world.province_35, region_code="35")
    officer = world.client_for(world.province_35)
    _followup(world, officer, gathering.pk)
    followup = FollowUp.objects.get()
    assert followup.owner == world.facilitator_3524

    facilitator = world.client_for(world.facilitator_3524)
    work = facilitator.get("/kerja/").content.decode()
    assert "Tindak lanjut gathering" in work and "Pendampingan membuat akun" in work
    assert "Tindak lanjut gathering" not in world.client_for(world.facilitator_1905).get("/kerja/").content.decode()

    response = facilitator.post(f"/gathering/tindak-lanjut/{followup.pk}/selesai/", {"next": "kerja"})
    assert response.status_code == 302 and response["Location"] == "/kerja/"
    assert "Pendampingan membuat akun" not in facilitator.get("/kerja/").content.decode()
    again = facilitator.post(f"/gathering/tindak-lanjut/{followup.pk}/selesai/", follow=True).content.decode()
    assert "sudah ditandai selesai" in again
    assert AuditEvent.objects.filter(object_id=followup.pk, comment="Tindak lanjut selesai").count() == 1
    page = officer.get(f"/gathering/{gathering.pk}/laporan/").content.decode()
    assert "Selesai" in page and "Pendampingan membuat akun" in page


def test_the_owner_must_be_a_facilitator_of_the_librarys_kabupaten(world: World) -> None:
    gathering = gathering_make(actor=world.province_35, region_code="35")
    officer = world.client_for(world.province_35)
    response = officer.post(
        f"/gathering/{gathering.pk}/tindak-lanjut/",
        prefixed("tl", {**FOLLOWUP, "library": world.lumajang_village.pk, "owner": world.facilitator_3524.pk}),
    )
    assert response.status_code == 400
    assert "fasilitator kabupaten/kota perpustakaan itu" in response.content.decode()
    assert "Belum punya akun pengelola" in response.content.decode()  # what was typed stays
    assert not FollowUp.objects.exists()


def test_someone_else_cannot_mark_a_follow_up_done(world: World) -> None:
    gathering = gathering_make(actor=world.province_35, region_code="35")
    _followup(world, world.client_for(world.province_35), gathering.pk)
    followup = FollowUp.objects.get()
    assert (
        world.client_for(world.facilitator_1905).post(f"/gathering/tindak-lanjut/{followup.pk}/selesai/").status_code
        == 404
    )
    assert world.client_for(world.manager).post(f"/gathering/tindak-lanjut/{followup.pk}/selesai/").status_code == 403
    assert FollowUp.objects.get().done_at is None


def test_a_practice_shared_is_recorded_for_an_invited_library(world: World) -> None:
    gathering = gathering_make(actor=world.province_35, region_code="35")
    officer = world.client_for(world.province_35)
    officer.post(
        f"/gathering/{gathering.pk}/praktik/",
        prefixed(
            "praktik",
            {
                "library": world.lumajang_village.pk,
                "title": "Sosialisasi di pertemuan PKK",
                "summary": "Merajut bersama",
            },
        ),
    )
    refused = officer.post(
        f"/gathering/{gathering.pk}/praktik/", prefixed("praktik", {"library": world.belo_laut.pk, "title": "Bukan"})
    )
    assert refused.status_code == 400
    assert list(SharedPractice.objects.values_list("title", flat=True)) == ["Sosialisasi di pertemuan PKK"]
    assert "Sosialisasi di pertemuan PKK" in officer.get(f"/gathering/{gathering.pk}/laporan/").content.decode()


def _pptx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/slides/slide1.xml", "<p:sld/>")
    return out.getvalue()


def test_materials_are_pdf_slides_or_links_and_nothing_else(world: World) -> None:
    gathering = gathering_make(actor=world.province_35, region_code="35")
    officer = world.client_for(world.province_35)
    url = f"/gathering/{gathering.pk}/materi/"
    pdf = SimpleUploadedFile("paparan capaian.pdf", b"%PDF-1.4\n...", content_type="application/pdf")
    assert officer.post(url, prefixed("materi", {"title": "Paparan", "file": pdf})).status_code == 302
    slides = SimpleUploadedFile("salindia.pptx", _pptx(), content_type="application/octet-stream")
    assert officer.post(url, prefixed("materi", {"title": "Salindia", "file": slides})).status_code == 302
    assert officer.post(url, prefixed("materi", {"title": "Rekaman", "url": "https://youtu.be/abc"})).status_code == 302
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = officer.post(url, prefixed("materi", {"title": "Palsu", "file": fake}))
    assert refused.status_code == 400 and "bukan PDF atau salindia" in refused.content.decode()
    assert officer.post(url, prefixed("materi", {"title": "Kosong"})).status_code == 400
    assert sorted(Material.objects.values_list("title", flat=True)) == ["Paparan", "Rekaman", "Salindia"]

    stored = Material.objects.get(title="Paparan")
    download = world.client_for(world.manager).get(f"/gathering/materi/{stored.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert "paparan-capaian.pdf" in download["Content-Disposition"]
    assert world.client_for(world.facilitator_1905).get(f"/gathering/materi/{stored.pk}/").status_code == 404


def test_a_material_over_the_limit_is_refused(world: World) -> None:
    import tpbis.gatherings.forms as forms

    gathering = gathering_make(actor=world.province_35, region_code="35")
    big = SimpleUploadedFile("besar.pdf", b"%PDF-" + b"0" * (forms.MAX_MATERIAL_BYTES + 1))
    refused = world.client_for(world.province_35).post(
        f"/gathering/{gathering.pk}/materi/", prefixed("materi", {"title": "Besar", "file": big})
    )
    assert refused.status_code == 400 and "lebih dari 20 MB" in refused.content.decode()
    assert not Material.objects.exists()
