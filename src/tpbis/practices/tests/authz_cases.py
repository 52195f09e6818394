"""Authorization matrix entries for the good-practice library, and the objects its slots name.

{practice}: a practice waiting for review at Sembung (in), Labruk Kidul (near) and Belo Laut (out): an
unpublished practice is read only within the scope covering its library (REGION).
{practice_published}: a published practice of Belo Laut, read by everyone signed in wherever it is (PUBLIC).
{practice_photo}: the photo of {practice}. Managers and facilitators write (the province is 403, and
outside its province 404); provincial officers and the national team review.
"""

from __future__ import annotations

from typing import Any

from tpbis.core.tests.authz_matrix import EVERYONE, NONE, PROVINCE_UP, PUBLIC, REGION, SIGNED_IN, Case
from tpbis.practices.services import practice_publish
from tpbis.practices.tests.helpers import practice_make
from tpbis.reports.photos import photos_prepare, photos_save
from tpbis.reports.tests.test_entry import jpeg

WRITERS = frozenset({"manager", "facilitator_3524"})
# The East Java officer reaches Belo Laut's library nowhere: fetched in scope first, so a 404 there.
PROVINCE_OUTSIDE = {("province_35", "out"): 404}


def matrix_slots(world: Any) -> dict[str, dict[str, str]]:
    authors = {
        "in": world.manager,
        "near": world.province_35,
        "out": world.facilitator_1905,
    }
    places = {"in": world.lamongan_village, "near": world.lumajang_village, "out": world.belo_laut}
    slots: dict[str, dict[str, str]] = {}
    for scope, library in places.items():
        practice = practice_make(library=library, author=authors[scope], title=f"Praktik uji {scope}")
        photo = photos_save(record=practice, prepared=photos_prepare(files=[jpeg()]), user=None)[0]
        slots[scope] = {"practice": str(practice.pk), "practice_photo": str(photo.pk)}
    published = practice_make(library=world.belo_laut, author=world.facilitator_1905, title="Praktik terbit uji")
    practice_publish(practice=published, actor=world.national, is_public=True)
    for values in slots.values():
        values["practice_published"] = str(published.pk)
    return slots


CASES: list[Case] = [
    Case("practices:list", "/praktik-baik/", SIGNED_IN, NONE),
    Case("practices:list", "/praktik-baik/?q=merajut&cost=low", SIGNED_IN, NONE, label="cari"),
    Case("practices:public_list", "/praktik-baik/publik/", EVERYONE, NONE),
    Case("practices:public_detail", "/praktik-baik/publik/{practice_published}/", EVERYONE, NONE),
    Case("practices:create", "/praktik-baik/baru/?perpustakaan={library}", WRITERS, REGION, overrides=PROVINCE_OUTSIDE),
    Case(
        "practices:create",
        "/praktik-baik/baru/",
        WRITERS,
        REGION,
        method="POST",
        data={"perpustakaan": "{library}"},
        label="kirim",
        overrides=PROVINCE_OUTSIDE,
    ),
    Case("practices:detail", "/praktik-baik/{practice}/", SIGNED_IN, REGION),
    Case("practices:detail", "/praktik-baik/{practice_published}/", SIGNED_IN, PUBLIC, label="terbit"),
    Case("practices:edit", "/praktik-baik/{practice}/ubah/", WRITERS, REGION, overrides=PROVINCE_OUTSIDE),
    Case(
        "practices:submit",
        "/praktik-baik/{practice}/kirim/",
        WRITERS,
        REGION,
        method="POST",
        data={},
        overrides=PROVINCE_OUTSIDE,
    ),
    Case(
        "practices:review",
        "/praktik-baik/{practice}/tinjau/",
        PROVINCE_UP,
        REGION,
        method="POST",
        data={"action": "publish"},
        fetch_first=True,
    ),
    Case("practices:photo", "/praktik-baik/{practice}/foto/{practice_photo}/thumb/", SIGNED_IN, REGION),
]
