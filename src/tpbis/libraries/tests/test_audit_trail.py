"""Every change to a partner library leaves who, when, before and after, readable on its page."""

from __future__ import annotations

from conftest import World
from tpbis.accounts.scope import Scope
from tpbis.audit.models import AuditAction, AuditEvent
from tpbis.libraries.imports import library_import
from tpbis.libraries.models import Library
from tpbis.libraries.tests.test_import_libraries import csv_bytes


def edit_data(library: Library, **extra: object) -> dict[str, object]:
    return {
        "name": library.name,
        "kind": library.kind,
        "region": library.region_id,
        "support": library.support,
        "cohort_year": library.cohort_year,
        "npp": library.npp or "",
        **extra,
    }


def test_it_records_an_edit_with_before_and_after(world: World) -> None:
    library = world.lamongan_village
    client = world.client_for(world.facilitator_3524)

    response = client.post(f"/mitra/{library.pk}/ubah/", edit_data(library, name="Perpustakaan B", cohort_year=2023))

    assert response.status_code == 302
    event = AuditEvent.objects.get(library_id=library.pk, action=AuditAction.UPDATE)
    assert event.actor == world.facilitator_3524
    assert event.changes == {"name": ["Perpustakaan Desa Sembung", "Perpustakaan B"], "cohort_year": [2022, 2023]}
    page = client.get(f"/mitra/{library.pk}/").content.decode()
    assert "Nama perpustakaan: Perpustakaan Desa Sembung → Perpustakaan B" in page
    assert "Tahun angkatan: 2022 → 2023" in page


def test_it_records_nothing_when_nothing_changed(world: World) -> None:
    library = world.lamongan_village
    world.client_for(world.facilitator_3524).post(f"/mitra/{library.pk}/ubah/", edit_data(library))
    assert not AuditEvent.objects.filter(library_id=library.pk).exists()


def test_it_records_deactivation_and_reactivation(world: World) -> None:
    library = world.lamongan_village
    client = world.client_for(world.province_35)

    client.post(f"/mitra/{library.pk}/status/", {"active": "0"})
    client.post(f"/mitra/{library.pk}/status/", {"active": "1"})

    events = list(AuditEvent.objects.filter(library_id=library.pk).order_by("at", "pk"))
    assert [e.action for e in events] == [AuditAction.DEACTIVATE, AuditAction.ACTIVATE]
    assert events[0].changes == {"is_active": ["aktif", "nonaktif"]}
    assert {e.actor for e in events} == {world.province_35}
    page = client.get(f"/mitra/{library.pk}/").content.decode()
    assert "Status: aktif → nonaktif" in page
    assert "Dinonaktifkan" in page


def test_it_records_a_registration_with_labels_not_codes(world: World) -> None:
    client = world.client_for(world.province_35)
    client.post(
        "/mitra/baru/",
        {
            "name": "TBM Pelangi",
            "kind": "tbm",
            "region": "35.24.01.2001",
            "support": "bantuan_buku",
            "cohort_year": 2024,
        },
    )
    library = Library.objects.get(name="TBM Pelangi")
    event = AuditEvent.objects.get(library_id=library.pk)
    assert (event.action, event.actor, event.region_code) == (AuditAction.CREATE, world.province_35, "35.24.01.2001")
    assert event.changes["support"] == [None, "Bantuan Buku"]
    assert event.changes["kind"] == [None, "Taman Bacaan Masyarakat (TBM)"]
    page = client.get(f"/mitra/{library.pk}/").content.decode()
    assert "Jenis dukungan: – → Bantuan Buku" in page
    assert "bantuan_buku" not in page.split('id="history-title"')[1]


def test_it_records_each_partner_an_import_creates_or_changes(world: World) -> None:
    content = csv_bytes(
        "1905012006;Perpustakaan Desa Belo Laut Baru;desa_kelurahan;19.05.01.2006;full_support;;2022",
        "3524012002;Perpustakaan Desa Sukorame;desa_kelurahan;3524012002;full_support;;2024",
    )
    report = library_import(
        content=content, filename="mitra.csv", scope=Scope(national=True), dry_run=False, actor=world.national
    )
    assert report.ok, report.errors

    created = Library.objects.get(npp="3524012002")
    update = AuditEvent.objects.get(library_id=world.belo_laut.pk)
    assert update.action == AuditAction.UPDATE
    assert update.actor == world.national
    assert update.changes == {"name": ["Perpustakaan Desa Belo Laut", "Perpustakaan Desa Belo Laut Baru"]}
    assert "mitra.csv" in update.comment
    assert AuditEvent.objects.get(library_id=created.pk).action == AuditAction.CREATE


def test_it_shows_the_history_to_a_facilitator_in_scope_and_404_out_of_scope(world: World) -> None:
    world.client_for(world.province_35).post(f"/mitra/{world.lamongan_village.pk}/status/", {"active": "0"})
    client = world.client_for(world.facilitator_1905)
    assert client.get(f"/mitra/{world.lamongan_village.pk}/").status_code == 404

    page = world.client_for(world.facilitator_3524).get(f"/mitra/{world.lamongan_village.pk}/").content.decode()
    assert "Riwayat" in page
    assert "Status: aktif → nonaktif" in page
    assert "Jatim" in page  # the province officer who did it
