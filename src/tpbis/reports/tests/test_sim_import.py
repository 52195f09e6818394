"""The import of the real SIM's JSON (`import_sim_json`), on the real samples of Kab. Probolinggo."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from collections import Counter
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command

from conftest import make_library
from tpbis.libraries.models import Library, LibraryKind
from tpbis.reports.models import (
    Advocacy,
    AuditAction,
    AuditEntry,
    CommunityEngagement,
    InformationService,
    Origin,
    Publicity,
    Replication,
    SimImport,
    SimScore,
    Status,
    Visitors,
)
from tpbis.reports.sim_import import SimImportError, SimImportResult, sim_import_folder

SAMPLES = Path(__file__).resolve().parents[5] / "shared" / "samples"
FOLDERS = ["sim-api-3513-2026-06-19", "sim-api-3513-2026-07-01", "sim-api-3513-2026-07-15"]
MODELS: dict[str, type[Any]] = {
    "pelibatan": CommunityEngagement,
    "advokasi": Advocacy,
    "publikasi": Publicity,
    "peningkatan": InformationService,
    "pengunjung": Visitors,
    "replikasi": Replication,
}
REGENCY = "35.13"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not SAMPLES.is_dir(), reason="the real SIM samples are not available"),
]


def data_of(folder: Path, record_type: str) -> list[dict[str, Any]]:
    path = folder / f"{record_type}3513.json"
    return json.loads(path.read_text())["data"] if path.exists() else []


def fingerprints(rows: list[dict[str, Any]]) -> Counter[str]:
    """The rows as the real SIM shows them, without verification: what identifies a record there."""
    return Counter(
        hashlib.sha256(
            json.dumps({k: v for k, v in r.items() if k != "is_verified"}, sort_keys=True).encode()
        ).hexdigest()
        for r in rows
    )


def held(record_type: str) -> int:
    """Imported records of the kabupaten that still count (not withdrawn)."""
    qs = MODELS[record_type].objects.filter(origin=Origin.SIM_IMPORT).exclude(status=Status.WITHDRAWN)
    return qs.filter(region_id=REGENCY).count() if record_type == "replikasi" else qs.count()


def import_folder(folder: Path, as_of: dt.date | None = None) -> SimImportResult:
    return sim_import_folder(folder=folder, as_of=as_of)


def audit_of(record: Any) -> Any:
    return AuditEntry.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)


def write_folder(root: Path, files: dict[str, list[dict[str, Any]]]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for record_type, rows in files.items():
        (root / f"{record_type}3513.json").write_text(json.dumps({"status": "success", "data": rows}))
    return root


def engagement_row(**changes: Any) -> dict[str, Any]:
    row = {
        "tanggal": "2026-03-02",
        "nama_kegiatan": "Kelas membaca ",
        "perpus_nama": "Perpustakaan Desa Alas Tengah",
        "provinsi_name": "Jawa Timur",
        "kabupaten_name": "Kab. Probolinggo",
        "kecamatan_name": "Paiton",
        "desa_name": "Alastengah",
        "bidang_kegiatan": "Pendidikan",
        "jenis": "Promosi",
        "sasaran": "Anak-Anak",
        "jumlah_peserta": 12,
        "attachment": "https://transformasi.perpusnas.go.id/a.jpg,https://transformasi.perpusnas.go.id/b.jpg",
        "tanggal_input": "2026-03-03",
        "is_verified": "Sudah Diverifikasi",
    }
    return {**row, **changes}


@pytest.mark.parametrize("name", FOLDERS)
def test_it_imports_every_record_of_each_sample_folder_once(name: str) -> None:
    folder = SAMPLES / name
    result = import_folder(folder)

    for record_type in MODELS:
        expected = len(data_of(folder, record_type))
        assert held(record_type) == expected, record_type
        if expected:
            assert result.counts[record_type] == expected
        else:
            assert record_type not in result.counts
    iku = data_of(folder, "iku")
    assert Library.objects.filter(regency_id=REGENCY).count() == len(iku)
    assert result.counts["perpustakaan"] == len(iku)
    assert SimScore.objects.count() == len(iku)

    audit_entries = AuditEntry.objects.count()
    again = import_folder(folder)

    assert again.created.total() == again.withdrawn.total() == again.status_changed.total() == 0
    assert again.libraries_created == 0 and again.libraries_deactivated == []
    assert AuditEntry.objects.count() == audit_entries
    for record_type in MODELS:
        assert held(record_type) == len(data_of(folder, record_type))
    assert Library.objects.filter(regency_id=REGENCY).count() == len(iku)
    assert SimScore.objects.count() == len(iku)
    assert SimImport.objects.count() == 2


def test_it_prints_one_summary_line_per_type() -> None:
    out = StringIO()
    call_command("import_sim_json", str(SAMPLES / FOLDERS[2]), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "pelibatan 219, advokasi 133, publikasi 205, peningkatan 29, pengunjung 82, replikasi 1, perpustakaan 127"
    )
    assert lines[1].startswith("baru: 669, ditarik: 0, status berubah: 0, perpustakaan baru: 127")
    assert "pengunjung: 82 baris tanpa status verifikasi (dianggap terverifikasi)" in lines
    assert "pelibatan: 17 baris bertanggal 1 Januari ditandai tanggal tidak diketahui" in lines
    assert "advokasi: 9 baris bertanggal 1 Januari ditandai tanggal tidak diketahui" in lines
    assert "peningkatan: 7 laporan ganda untuk perpustakaan+bulan yang sama (disimpan semua)" in lines
    assert "peningkatan: 1 laporan untuk bulan di masa depan (November 2026)" in lines
    assert "desa Alastengah ada di 2 kecamatan (Paiton, Besuk); kecamatan menentukan" in lines


def test_it_adds_new_rows_and_withdraws_vanished_ones_from_a_later_folder() -> None:
    early, late = SAMPLES / FOLDERS[0], SAMPLES / FOLDERS[2]
    import_folder(early)
    result = import_folder(late)

    for record_type in ("pelibatan", "publikasi", "peningkatan", "pengunjung", "replikasi"):
        before, after = fingerprints(data_of(early, record_type)), fingerprints(data_of(late, record_type))
        assert result.withdrawn[record_type] == (before - after).total(), record_type
        assert result.created[record_type] == (after - before).total(), record_type
        assert held(record_type) == len(data_of(late, record_type)), record_type
        withdrawn = MODELS[record_type].objects.filter(status=Status.WITHDRAWN)
        assert withdrawn.count() == (before - after).total()
    # The kabupaten's replication was edited in the real system (funds changed): old one withdrawn.
    replication = Replication.objects.get(status=Status.WITHDRAWN)
    assert replication.funds == 115695900
    assert Replication.objects.get(status=Status.VERIFIED).funds == 21500000
    entry = audit_of(replication).get(action=AuditAction.WITHDRAW)
    assert entry.comment == "tidak ada lagi di SIM lama" and entry.user is None


def test_it_deactivates_a_library_that_left_the_iku_list() -> None:
    # 19 June lists "Perpustakaan Pondokkelor Pintar" twice (scores 100 and "-"); 1 July once.
    import_folder(SAMPLES / FOLDERS[0])
    twins = Library.objects.filter(name="Perpustakaan Pondokkelor Pintar").order_by("pk")
    assert [SimScore.objects.get(library=lib).score for lib in twins] == [Decimal(100), None]

    result = import_folder(SAMPLES / FOLDERS[1])

    assert result.libraries_deactivated == ["Perpustakaan Pondokkelor Pintar"]
    assert [lib.is_active for lib in twins.all()] == [True, False]
    assert CommunityEngagement.objects.filter(library=twins[0]).exists()


def test_it_never_touches_records_and_libraries_registered_here() -> None:
    alas_tengah = make_library("Perpustakaan Desa Alas Tengah", "35.13.12.2007")
    own = CommunityEngagement.objects.create(
        library=alas_tengah,
        date=dt.date(2026, 2, 2),
        title="Diisi di sistem ini",
        activity_field="Pendidikan",
        activity_kind="Pelatihan",
        audience="Umum",
        participants=9,
        input_date=dt.date(2026, 2, 3),
    )
    newcomer = make_library("Perpustakaan Desa Bukan SIM", "35.13.12.2018")

    import_folder(SAMPLES / FOLDERS[0])
    import_folder(SAMPLES / FOLDERS[2])

    own.refresh_from_db()
    assert own.status == Status.SUBMITTED and own.origin == Origin.ENTRY
    assert Library.objects.filter(name="Perpustakaan Desa Alas Tengah").get() == alas_tengah
    assert CommunityEngagement.objects.filter(library=alas_tengah, origin=Origin.SIM_IMPORT).exists()
    newcomer.refresh_from_db()
    assert newcomer.is_active


def test_it_marks_activities_dated_1_january_as_date_unknown() -> None:
    import_folder(SAMPLES / FOLDERS[2])

    for model, expected in ((CommunityEngagement, 17), (Advocacy, 9)):
        unknown = model.objects.filter(date_unknown=True)
        assert unknown.count() == expected
        assert set(unknown.values_list("date", flat=True)) == {dt.date(2026, 1, 1)}
        assert not model.objects.filter(date_unknown=False, date=dt.date(2026, 1, 1)).exists()


def test_it_keeps_values_and_photo_links_exactly() -> None:
    folder = SAMPLES / FOLDERS[2]
    import_folder(folder)

    first = data_of(folder, "pelibatan")[0]
    record = CommunityEngagement.objects.get(title=first["nama_kegiatan"], input_date=first["tanggal_input"])
    assert record.external_attachments == first["attachment"]
    assert record.library.name == first["perpus_nama"]
    assert Publicity.objects.filter(media_name="Instagram ").exists()
    regency_library = Library.objects.get(name="Perpustakaan Probolinggo")
    assert (regency_library.kind, regency_library.region_id) == (LibraryKind.REGENCY, REGENCY)
    assert SimScore.objects.get(library=regency_library).score == Decimal("93.5")
    assert Advocacy.objects.filter(regulation_kind="").count() == 125


def test_it_counts_visitors_without_verification_as_verified() -> None:
    import_folder(SAMPLES / FOLDERS[2])

    assert Visitors.objects.count() == 82
    assert set(Visitors.objects.values_list("status", flat=True)) == {Status.VERIFIED}


def test_it_keeps_the_real_scores_with_none_when_not_assessed() -> None:
    folder = SAMPLES / FOLDERS[2]
    import_folder(folder)

    iku = data_of(folder, "iku")
    scores = SimScore.objects.filter(as_of=dt.date(2026, 7, 15))
    assert scores.count() == len(iku)
    assert scores.filter(score__isnull=True).count() == sum(1 for r in iku if r["skor"] == "-")


def test_it_resolves_a_village_name_found_in_two_kecamatan_by_its_kecamatan(tmp_path: Path) -> None:
    besuk = engagement_row(perpus_nama="Perpustakaan Alastengah Besuk", kecamatan_name="Besuk")
    folder = write_folder(tmp_path / "sim", {"pelibatan": [engagement_row(), besuk]})

    import_folder(folder)

    assert Library.objects.get(name="Perpustakaan Desa Alas Tengah").region_id == "35.13.12.2007"
    assert Library.objects.get(name="Perpustakaan Alastengah Besuk").region_id == "35.13.13.2014"


def test_it_keeps_exact_duplicates_and_updates_a_later_verification_in_place(tmp_path: Path) -> None:
    pending = engagement_row(is_verified="Belum Diverifikasi")
    first = write_folder(tmp_path / "a", {"pelibatan": [pending, pending]})
    import_folder(first, as_of=dt.date(2026, 3, 10))
    assert CommunityEngagement.objects.filter(status=Status.SUBMITTED).count() == 2
    pks = set(CommunityEngagement.objects.values_list("pk", flat=True))

    later = write_folder(tmp_path / "b", {"pelibatan": [engagement_row(), pending]})
    result = import_folder(later, as_of=dt.date(2026, 3, 20))

    assert result.status_changed["pelibatan"] == 1 and result.created.total() == 0
    assert set(CommunityEngagement.objects.values_list("pk", flat=True)) == pks
    verified = CommunityEngagement.objects.get(status=Status.VERIFIED)
    entry = audit_of(verified).get(action=AuditAction.VERIFY)
    assert entry.comment == "impor SIM" and entry.changes == {"status": [Status.SUBMITTED, Status.VERIFIED]}


def test_it_withdraws_only_types_the_folder_holds_and_restores_a_row_that_returns(tmp_path: Path) -> None:
    advocacy = json.loads((SAMPLES / FOLDERS[2] / "advokasi3513.json").read_text())["data"][0]
    advocacy.update(kecamatan_name="Paiton", desa_name="Alastengah", perpus_nama="Perpustakaan Desa Alas Tengah")
    advocacy.update(tanggal_input="2026-03-01")
    import_folder(write_folder(tmp_path / "a", {"pelibatan": [engagement_row()], "advokasi": [advocacy]}))

    gone = import_folder(write_folder(tmp_path / "b", {"pelibatan": []}), as_of=dt.date(2026, 3, 10))
    assert gone.withdrawn == Counter({"pelibatan": 1})
    assert Advocacy.objects.get().status == Status.VERIFIED

    back = import_folder(write_folder(tmp_path / "c", {"pelibatan": [engagement_row()]}), as_of=dt.date(2026, 3, 20))
    assert back.restored["pelibatan"] == 1 and back.created.total() == 0
    record = CommunityEngagement.objects.get()
    assert record.status == Status.VERIFIED
    assert list(audit_of(record).values_list("action", flat=True)) == [
        AuditAction.IMPORT,
        AuditAction.WITHDRAW,
        AuditAction.IMPORT,
    ]


def test_it_refuses_a_folder_older_than_the_last_import() -> None:
    import_folder(SAMPLES / FOLDERS[1])

    with pytest.raises(SimImportError, match="lebih lama"):
        import_folder(SAMPLES / FOLDERS[0])
    assert SimImport.objects.count() == 1


def _break_record(record: dict[str, Any]) -> None:
    record["jumlah_peserta"] = "banyak"


@pytest.mark.parametrize(
    ("breakage", "message"),
    [
        (lambda rows: _break_record(rows[16]), "pelibatan3513.json, data ke-17: kolom 'jumlah_peserta'"),
        (lambda rows: rows[16].pop("nama_kegiatan"), "pelibatan3513.json, data ke-17: kolom 'nama_kegiatan' tidak ada"),
        (lambda rows: rows[16].update(tanggal="2026-02-30"), "pelibatan3513.json, data ke-17: kolom 'tanggal'"),
        (lambda rows: rows[16].update(kabupaten_name="Kab. Lumajang"), "pelibatan3513.json, data ke-17"),
    ],
)
def test_it_writes_nothing_when_a_record_is_malformed(tmp_path: Path, breakage: Any, message: str) -> None:
    folder = tmp_path / "sim-api-3513-2026-07-15"
    shutil.copytree(SAMPLES / FOLDERS[2], folder)
    path = folder / "pelibatan3513.json"
    path.chmod(0o644)
    document = json.loads(path.read_text())
    breakage(document["data"])
    path.write_text(json.dumps(document))

    with pytest.raises(CommandError, match=message):
        call_command("import_sim_json", str(folder), stdout=StringIO())

    assert not Library.objects.filter(regency_id=REGENCY).exists()
    assert not CommunityEngagement.objects.exists() and not SimImport.objects.exists()


def test_it_reports_a_file_that_is_not_json(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "sim", {"pelibatan": [engagement_row()]})
    (folder / "publikasi3513.json").write_text('{"status": "success", "data": [')

    with pytest.raises(CommandError, match=r"publikasi3513\.json: bukan JSON yang sah"):
        call_command("import_sim_json", str(folder), stdout=StringIO())
    assert not CommunityEngagement.objects.exists()
