"""Seed the vocabularies with the values seen in the real SIM's data."""

from __future__ import annotations

from django.db import migrations

SEED = {
    "bidang_kegiatan": [
        "Pendidikan", "Kesehatan", "Inklusi Digital", "Seni Budaya", "Ekonomi", "Pertanian", "Olahraga", "Lainnya",
    ],
    "jenis_kegiatan": ["Promosi", "Pelatihan"],
    "sasaran_pelibatan": ["Umum", "Pelajar", "Anak-Anak", "Lansia", "Pelaku UMKM", "Mahasiswa", "Petani/Nelayan"],
    "sasaran_advokasi": ["Kepala Desa", "Perangkat Daerah", "Swasta", "Lainnya"],
    "jenis_publikasi": ["Media Online", "Media Elektronik", "Media Cetak"],
    "sumber_dana": ["APBD", "APBD Provinsi", "APBD Kabupaten/Kota", "APBDes", "CSR", "Lainnya"],
    "hasil_regulasi": ["Peraturan Kepala Desa/Lurah", "Lainnya"],
}


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Term = apps.get_model("reports", "VocabularyTerm")
    for kind, values in SEED.items():
        for position, value in enumerate(values):
            Term.objects.get_or_create(kind=kind, value=value, defaults={"position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
