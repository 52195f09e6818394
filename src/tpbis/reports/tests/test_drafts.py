"""Drafts (*Simpan sebagai draf*): unfinished work is saved as it is, listed for the manager, sent once
with every check, and never counted, queued, exported or served by the compatible API."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import World
from tpbis.accounts.scope import scope_for_user
from tpbis.dashboards.selectors import region_figures
from tpbis.dashboards.services import summaries_rebuild
from tpbis.kpi.facts import gather_facts
from tpbis.reports.audit import audit_for
from tpbis.reports.models import Advocacy, AuditAction, CommunityEngagement, Status, Visitors
from tpbis.reports.photos import photos_for, photos_prepare
from tpbis.reports.selectors import verification_queue
from tpbis.reports.services import RecordConflict, record_create, record_update, record_verify
from tpbis.reports.tests.test_entry import engagement, jpeg

TODAY = timezone.localdate()
DRAFT_SAVED = "Draf tersimpan. Belum dikirim; buka lagi untuk melengkapi dan mengirim."
NEW = "/laporan/pelibatan/baru/?perpustakaan={pk}"


@pytest.fixture
def manager(world: World) -> Client:
    return world.client_for(world.manager)


def save_draft(client: Client, world: World, **fields: Any) -> Any:
    data = {"client_id": str(uuid.uuid4()), "draft": "1", **fields}
    return client.post(NEW.format(pk=world.lamongan_village.pk), data)


def a_draft(world: World, **data: Any) -> CommunityEngagement:
    record, _ = record_create(
        model=CommunityEngagement,
        user=world.manager,
        library=world.lamongan_village,
        data={"title": "Draf lomba mewarnai", **data},
        submit=False,
    )
    return record


def test_it_saves_a_draft_with_only_a_title(world: World, manager: Client) -> None:
    response = save_draft(manager, world, title="Lomba mewarnai (belum selesai)", date="")

    assert response.status_code == 302
    assert response["Location"] == f"/mitra/{world.lamongan_village.pk}/"
    draft = CommunityEngagement.objects.get()
    assert (draft.status, draft.title, draft.participants, draft.activity_field) == (
        Status.DRAFT,
        "Lomba mewarnai (belum selesai)",
        None,
        "",
    )
    page = manager.get(response["Location"]).content.decode()
    assert DRAFT_SAVED in page
    assert "Laporan tersimpan. Terima kasih!" not in page


def test_it_saves_an_advocacy_draft_with_only_a_title(world: World, manager: Client) -> None:
    data = {"client_id": str(uuid.uuid4()), "draft": "1", "title": "Audiensi kepala desa"}
    response = manager.post(f"/laporan/advokasi/baru/?perpustakaan={world.lamongan_village.pk}", data)
    assert response.status_code == 302
    assert Advocacy.objects.get().status == Status.DRAFT


def test_it_still_checks_what_a_draft_holds(world: World, manager: Client) -> None:
    response = save_draft(manager, world, title="Kelas", participants="sepuluh")
    assert response.status_code == 200
    assert "angka bilangan" in response.content.decode()
    assert not CommunityEngagement.objects.exists()


def test_it_refuses_an_empty_draft(world: World, manager: Client) -> None:
    response = save_draft(manager, world, date="")
    assert response.status_code == 200
    assert "Draf masih kosong" in response.content.decode()
    assert not CommunityEngagement.objects.exists()


def test_it_lists_the_draft_on_the_managers_home_with_a_link_to_continue(world: World, manager: Client) -> None:
    save_draft(manager, world, title="Lomba mewarnai")
    draft = CommunityEngagement.objects.get()

    home = manager.get("/", follow=True).content.decode()

    assert "1 draf belum dikirim" in home
    assert "Lomba mewarnai" in home
    assert f"/laporan/pelibatan/{draft.pk}/ubah/" in home


def test_it_lists_a_draft_without_title_on_home_and_in_the_records(world: World, manager: Client) -> None:
    a_draft(world, title="", participants_male=3)
    home = manager.get("/", follow=True).content.decode()
    assert "Pelibatan masyarakat: (tanpa judul)" in home
    listing = manager.get(f"/laporan/pelibatan/?perpustakaan={world.lamongan_village.pk}").content.decode()
    assert "(draf tanpa judul)" in listing


def test_it_opens_a_draft_prefilled_with_its_photos(world: World, manager: Client) -> None:
    draft, _ = record_create(
        model=CommunityEngagement,
        user=world.manager,
        library=world.lamongan_village,
        data={"title": "Kelas menjahit", "participants_male": 4},
        photos=photos_prepare(files=[jpeg()]),
        submit=False,
    )
    photo = photos_for(draft).get()

    page = manager.get(f"/laporan/pelibatan/{draft.pk}/ubah/").content.decode()

    assert "Lanjutkan draf" in page
    assert 'value="Kelas menjahit"' in page
    assert 'name="participants_male" value="4"' in page
    assert f"/laporan/foto/{photo.pk}/thumb/" in page
    assert "Kirim laporan" in page and "Simpan sebagai draf" in page


def test_the_draft_page_sends_through_the_form_not_a_bare_button(world: World, manager: Client) -> None:
    draft = a_draft(world)
    page = manager.get(f"/laporan/pelibatan/{draft.pk}/").content.decode()
    assert "Lanjutkan mengisi dan kirim" in page
    assert f"/laporan/pelibatan/{draft.pk}/submit/" not in page


def test_it_saves_a_draft_again_without_the_checks(world: World, manager: Client) -> None:
    draft = a_draft(world)
    response = manager.post(
        f"/laporan/pelibatan/{draft.pk}/ubah/", {"draft": "1", "title": "Kelas menjahit", "participants_female": "5"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.title, draft.participants_female) == (Status.DRAFT, "Kelas menjahit", 5)


def test_sending_a_draft_applies_every_check(world: World, manager: Client) -> None:
    draft = a_draft(world)

    response = manager.post(f"/laporan/pelibatan/{draft.pk}/ubah/", {"title": "Kelas menjahit"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "Isi jumlah peserta, atau jumlah laki-laki dan perempuan." in body
    assert "Lampirkan 1–3 foto kegiatan." in body
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_sending_a_complete_draft_submits_it_once(world: World, manager: Client) -> None:
    draft = a_draft(world)
    data = engagement(title="Kelas menjahit")
    data["photos"] = [jpeg()]

    response = manager.post(f"/laporan/pelibatan/{draft.pk}/ubah/", data)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.participants) == (Status.SUBMITTED, 12)
    assert photos_for(draft).count() == 1
    last = audit_for(draft).last()
    assert last is not None and last.action == AuditAction.SUBMIT
    assert CommunityEngagement.objects.count() == 1


def test_the_second_tab_sending_a_draft_is_told_it_was_sent(world: World) -> None:
    draft = a_draft(world)
    photos = photos_prepare(files=[jpeg()])
    complete = {**engagement_data(), "title": "Kelas menjahit"}
    stale = CommunityEngagement.objects.get(pk=draft.pk)
    record_update(record=draft, user=world.manager, data=complete, photos=photos, send=True)

    with pytest.raises(RecordConflict, match="baru saja dikirim"):
        record_update(record=stale, user=world.manager, data=complete, send=True)
    assert audit_for(draft).filter(action=AuditAction.SUBMIT).count() == 1


def test_the_second_tab_sees_a_clear_message_on_the_form(world: World, manager: Client) -> None:
    draft = a_draft(world)
    seen = draft.updated_at.isoformat()
    data = {**engagement(title="Kelas menjahit"), "seen": seen}
    first = manager.post(f"/laporan/pelibatan/{draft.pk}/ubah/", {**data, "photos": [jpeg()]})
    second = manager.post(f"/laporan/pelibatan/{draft.pk}/ubah/", {**data, "photos": [jpeg()]})

    assert first.status_code == 302
    assert second.status_code == 200
    assert "baru saja dikirim" in second.content.decode()
    assert photos_for(draft).count() == 1


def test_a_draft_saved_twice_from_one_page_stays_one_draft(world: World, manager: Client) -> None:
    client_id = str(uuid.uuid4())
    save_draft(manager, world, client_id=client_id, title="Lomba")
    second = save_draft(manager, world, client_id=client_id, title="Lomba mewarnai")

    assert second.status_code == 302
    draft = CommunityEngagement.objects.get()
    assert draft.title == "Lomba mewarnai"


def test_a_monthly_form_has_no_draft_button(world: World, manager: Client) -> None:
    page = manager.get(f"/laporan/pengunjung/baru/?perpustakaan={world.lamongan_village.pk}").content.decode()
    assert "Simpan sebagai draf" not in page
    response = manager.post(
        f"/laporan/pengunjung/baru/?perpustakaan={world.lamongan_village.pk}",
        {"draft": "1", "month": "", "year": str(TODAY.year), "male": "3", "female": "4"},
    )
    assert response.status_code == 200
    assert not Visitors.objects.exists()


def engagement_data() -> dict[str, Any]:
    return {
        "date": TODAY,
        "title": "Kelas membaca",
        "activity_field": "Pendidikan",
        "activity_kind": "Pelatihan",
        "audience": "Anak-Anak",
        "participants": 12,
    }


# Drafts never count: KPI facts, the verification queue, exports, the compatible API, dashboards.


def test_a_draft_earns_no_kpi_and_does_not_make_a_library_assessed(world: World) -> None:
    a_draft(world, **engagement_data())
    facts = gather_facts(libraries=[world.lamongan_village.pk], dates=[TODAY])
    library_facts = facts.get(world.lamongan_village.pk, {}).get(TODAY)
    assert library_facts is None or (not library_facts.has_any and not library_facts.counts.get("pelibatan"))


def test_a_draft_is_not_in_the_verification_queue(world: World) -> None:
    draft = a_draft(world, **engagement_data())
    scope = scope_for_user(world.facilitator_3524)
    assert draft not in verification_queue(model=CommunityEngagement, scope=scope, user_id=world.facilitator_3524.pk)
    queue = world.client_for(world.facilitator_3524).get("/laporan/verifikasi/").content.decode()
    assert "Draf lomba mewarnai" not in queue


def test_a_draft_is_never_exported_even_to_its_manager(world: World, manager: Client) -> None:
    a_draft(world, title="Rahasia draf")
    for client in (manager, world.client_for(world.facilitator_3524)):
        response = client.get(f"/ekspor/pelibatan.csv?perpustakaan={world.lamongan_village.pk}")
        body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
        assert response.status_code == 200
        assert "Rahasia draf" not in body.decode("utf-8-sig")


def test_a_draft_is_listed_for_its_manager_only(world: World, manager: Client) -> None:
    a_draft(world, title="Rahasia draf")
    path = f"/laporan/pelibatan/?perpustakaan={world.lamongan_village.pk}"
    assert "Rahasia draf" in manager.get(path).content.decode()
    assert "Rahasia draf" not in world.client_for(world.facilitator_3524).get(path).content.decode()


def test_a_draft_is_not_served_by_the_compatible_api(world: World) -> None:
    draft = a_draft(world, **{**engagement_data(), "title": "Rahasia draf"})
    # Even a draft that somebody tried to verify stays out: verification needs a sent record.
    with pytest.raises(Exception, match="belum diverifikasi"):
        record_verify(record=draft, user=world.facilitator_3524)
    body = json.loads(Client().get("/api/pelibatan3524").content)
    assert "Rahasia draf" not in json.dumps(body)


def test_a_draft_adds_nothing_to_the_dashboard_figures(world: World) -> None:
    a_draft(world, **{**engagement_data(), "participants": 99})
    sent, _ = record_create(
        model=CommunityEngagement,
        user=world.manager,
        library=world.lamongan_village,
        data=engagement_data(),
        photos=photos_prepare(files=[jpeg()]),
    )
    summaries_rebuild()
    start = TODAY.replace(month=1, day=1)

    figures = region_figures(scope=scope_for_user(world.national), region_code="35.24", start=start, end=TODAY)

    assert figures.records["pelibatan"].submitted == 1
    assert figures.participants.total == sent.participants == 12
