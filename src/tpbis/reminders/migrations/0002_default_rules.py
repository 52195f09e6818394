"""The national reminder rules the programme starts with; the national team edits them on /pengingat/."""

from __future__ import annotations

from typing import Any

from django.db import migrations

DEFAULT_RULES: list[dict[str, Any]] = [
    {
        "kind": "pengelola_diam",
        "audience": "pengelola",
        "days": 30,
        "message": (
            "{perpustakaan} belum mengirim laporan apa pun dalam {hari} hari terakhir. "
            "Catat kegiatan, advokasi, publikasi atau pengunjung bulan ini agar skor IKU terus terhitung."
        ),
    },
    {
        "kind": "pengunjung_belum",
        "audience": "pengelola",
        "day_of_month": 10,
        "message": (
            "Laporan pengunjung {perpustakaan} untuk {bulan} belum masuk, padahal tenggatnya tanggal {tanggal}. "
            "Isi jumlah pengunjung laki-laki dan perempuan bulan itu."
        ),
    },
    {
        "kind": "verifikasi_menunggu",
        "audience": "fasilitator",
        "days": 7,
        "message": "{jumlah} laporan di {wilayah} sudah menunggu verifikasi lebih dari {hari} hari:",
    },
    {
        "kind": "tanpa_akun",
        "audience": "fasilitator",
        "weekday": 0,
        "message": (
            "{jumlah} mitra di {wilayah} belum punya akun, jadi belum bisa melapor. "
            "Kirim tautan aktivasi kepada pengelolanya lewat WhatsApp:"
        ),
    },
    {
        "kind": "ringkasan_mingguan",
        "audience": "provinsi",
        "weekday": 0,
        "days": 30,
        "message": "Ringkasan pekan ini untuk {wilayah}: perpustakaan yang berganti warna IKU dan yang mulai diam ({hari} hari tanpa laporan).",
    },
]


def create(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("reminders", "ReminderRule")
    for fields in DEFAULT_RULES:
        rule.objects.get_or_create(kind=fields["kind"], region=None, defaults=fields)


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("reminders", "ReminderRule").objects.filter(region__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
