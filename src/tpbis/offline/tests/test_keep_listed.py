"""The library page marks the forms of its drafts and returned records for the phone to keep (issue 15):
`data-keep` with the record's last change on "Lanjutkan mengisi" and "Perbaiki", read by offline-boot.js;
only on the panel of the library's own managers."""

from __future__ import annotations

import datetime as dt
import re

from conftest import World
from tpbis.reports.models import CommunityEngagement
from tpbis.reports.services import record_create, record_return
from tpbis.reports.tests.test_verification import TODAY


def stamp(moment: dt.datetime) -> str:
    return f"{int(moment.timestamp())}.{moment.microsecond:06d}"


def kept_links(html: str) -> dict[str, str]:
    return dict(re.findall(r'href="(/laporan/[a-z]+/\d+/ubah/)" data-keep="([\d.]+)"', html))


def test_the_library_page_marks_its_drafts_and_returned_records_to_keep(world: World) -> None:
    draft, _ = record_create(
        model=CommunityEngagement,
        user=world.manager,
        data={"title": "Draf dongeng"},
        library=world.lamongan_village,
        submit=False,
    )
    returned, _ = record_create(
        model=CommunityEngagement,
        user=world.manager,
        data={
            "date": TODAY,
            "title": "Kelas membatik",
            "activity_field": "Ekonomi",
            "activity_kind": "Pelatihan",
            "audience": "Pelaku UMKM",
            "participants": 12,
        },
        library=world.lamongan_village,
        submit=False,
    )
    returned.status = "submitted"
    returned.save()
    record_return(record=returned, user=world.facilitator_3524, comment="Tanggal salah")
    page = f"/mitra/{world.lamongan_village.pk}/"

    html = world.client_for(world.manager).get(page).content.decode()

    assert f'data-keep-library="{world.lamongan_village.pk}"' in html
    returned.refresh_from_db()
    assert kept_links(html) == {
        f"/laporan/pelibatan/{draft.pk}/ubah/": stamp(draft.updated_at),
        f"/laporan/pelibatan/{returned.pk}/ubah/": stamp(returned.updated_at),
    }
    # A facilitator sees the page without the manager's panel: nothing for their phone to keep.
    other = world.client_for(world.facilitator_3524).get(page).content.decode()
    assert "data-keep" not in other
