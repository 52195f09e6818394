"""Creating, editing and activating a KPI scheme is audited with readable before and after."""

from __future__ import annotations

from conftest import World
from tpbis.audit.models import AuditAction, AuditEvent
from tpbis.kpi.models import Scheme
from tpbis.kpi.services import scheme_set_active
from tpbis.kpi.tests.test_pages import _scheme_post


def scheme_events(scheme: Scheme) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_id=scheme.pk, content_type__model="scheme").order_by("at", "pk"))


def test_it_records_a_new_scheme_and_an_edit_with_before_and_after(world: World) -> None:
    client = world.client_for(world.national)
    assert client.post("/iku/skema/baru/", _scheme_post(["100"])).status_code == 302
    scheme = Scheme.objects.get(name="Skema uji")
    (created,) = scheme_events(scheme)
    assert (created.action, created.actor) == (AuditAction.SCHEME_CREATE, world.national)
    assert created.changes["green_above"] == [None, "75"]
    assert created.changes["library_kinds"] == [None, "semua jenis"]
    assert created.changes["components"][1] == [
        "Pelibatan 0 (Pelibatan masyarakat · Jumlah laporan terverifikasi sejak 1 Januari) target 1 · bobot 100"
    ]

    edit = _scheme_post(["70", "30"])
    edit.update({"green_above": "80.50", "library_kinds": ["tbm"]})
    assert client.post(f"/iku/skema/{scheme.pk}/", edit).status_code == 302

    updated = scheme_events(scheme)[-1]
    assert updated.action == AuditAction.SCHEME_UPDATE
    assert updated.changes["green_above"] == ["75", "80.5"]
    assert updated.changes["library_kinds"] == ["semua jenis", ["Taman Bacaan Masyarakat (TBM)"]]
    assert len(updated.changes["components"][1]) == 3
    page = client.get("/audit/").content.decode()
    assert "Hijau jika skor di atas: 75 → 80.5" in page
    assert "Skema KPI diubah" in page


def test_it_records_taking_a_scheme_out_of_force(world: World) -> None:
    world.client_for(world.national).post("/iku/skema/baru/", _scheme_post(["100"]))
    scheme = Scheme.objects.get(name="Skema uji")

    scheme_set_active(scheme=scheme, active=False, actor=world.national)
    scheme_set_active(scheme=scheme, active=False, actor=world.national)  # no change, no second event

    event = scheme_events(scheme)[-1]
    assert event.action == AuditAction.DEACTIVATE
    assert event.changes == {"is_active": ["aktif", "nonaktif"]}
    assert len(scheme_events(scheme)) == 2


def test_it_tells_the_weight_total_as_people_write_it(world: World) -> None:
    response = world.client_for(world.national).post("/iku/skema/baru/", _scheme_post(["60", "30"]))
    assert "sekarang 90." in response.content.decode()
