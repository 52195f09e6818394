"""Authorization cases of the reports app's newer pages (see tpbis.core.tests.authz_matrix).

Spreadsheet entry of records (*impor laporan*) is a facilitator's tool (and a provincial officer's, and the
national team's): a library manager enters on the forms and is refused (403). What rows a person may import
is scoped per row inside the import, not by the URL. A stored preview is its uploader's own: anyone else's
token is a 404.

A photo attached to an entry form that came back (*foto terlampir*, not saved yet) is seen by the person
who attached it only: anyone else's is a 404, even for the national team.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tpbis.core.tests.authz_matrix import FACILITATOR_UP, NONE, OWNER, PERSONAS, SIGNED_IN, Case
from tpbis.reports.photos import photos_prepare, photos_stage
from tpbis.reports.tests.test_entry import jpeg

RECORD_IMPORT_CSV = b"npp,tanggal,nama_kegiatan,bidang_kegiatan,jenis,sasaran,jumlah_peserta\n"


def matrix_slots(world: Any) -> dict[str, dict[str, str]]:
    """A stored preview of a record import for each persona (and the Bangka Barat facilitator's, for "out").

    Separate from the partner import's file: an apply consumes its file, whichever import it was.
    """
    slots: dict[str, dict[str, str]] = {}
    for persona in (*PERSONAS[1:], "facilitator_1905"):
        user = getattr(world, persona)
        token = uuid.uuid4().hex + ".csv"
        default_storage.save(f"imports/{user.pk}/{token}", ContentFile(RECORD_IMPORT_CSV))
        staged = photos_stage(prepared=photos_prepare(files=[jpeg()]), user=user, library=world.lamongan_village)[0]
        slots["others" if persona == "facilitator_1905" else persona] = {
            "record_import_file": token,
            "staged_photo": str(staged.pk),
        }
    return slots


CASES: list[Case] = [
    Case("reports:import", "/laporan/impor/", FACILITATOR_UP, NONE),
    Case("reports:import_template", "/laporan/impor/templat/pelibatan.xlsx", FACILITATOR_UP, NONE, label="xlsx"),
    Case("reports:import_template", "/laporan/impor/templat/pengunjung.csv", FACILITATOR_UP, NONE, label="csv"),
    Case("reports:import_preview", "/laporan/impor/pratinjau/", FACILITATOR_UP, NONE, method="POST", data={}),
    Case(
        "reports:import_apply",
        "/laporan/impor/pelibatan/terapkan/",
        FACILITATOR_UP,
        OWNER,
        method="POST",
        data={"token": "{record_import_file}"},
    ),
    Case("reports:staged_photo", "/laporan/foto/terlampir/{staged_photo}/thumb/", SIGNED_IN, OWNER),
]
