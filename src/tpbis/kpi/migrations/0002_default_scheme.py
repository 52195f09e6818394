"""The default scheme "TPBIS 2026, calibrated" (DOMAIN.md "KPI (IKU)"), in effect for every date.

The first four parts reproduce what the real SIM's scores of Kab. Probolinggo reveal (July 2026); the
information-service part is our own transparent rule, since the real data cannot reveal it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import migrations

COMPONENTS = [
    # label, record type, measure, field, target, weight, rounding step
    ("Pelibatan masyarakat", "pelibatan", "count", "", "7", "17.5", "2.5"),
    ("Publikasi", "publikasi", "count", "", "4", "11.25", "1.25"),
    ("Advokasi", "advokasi", "count", "", "14", "18.75", "1.25"),
    ("Pengunjung", "pengunjung", "reported", "", "1", "2.5", "0"),
    ("Koleksi buku", "peningkatan", "latest", "books", "1000", "12.5", "1.25"),
    ("Koleksi buku digital", "peningkatan", "latest", "digital_books", "100", "12.5", "1.25"),
    ("Komputer", "peningkatan", "latest", "computers", "3", "12.5", "1.25"),
    ("Bandwidth internet (Mbps)", "peningkatan", "latest", "bandwidth", "20", "12.5", "1.25"),
]


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    Scheme = apps.get_model("kpi", "Scheme")
    Component = apps.get_model("kpi", "Component")
    if Scheme.objects.filter(name="TPBIS 2026, calibrated").exists():
        return
    scheme = Scheme.objects.create(
        name="TPBIS 2026, calibrated",
        effective_from=dt.date(2018, 1, 1),
        library_kinds=[],
        green_above=Decimal(75),
        yellow_above=Decimal(25),
        notes="Skema bawaan: empat bagian sesuai skor SIM lama (Juli 2026), bagian layanan informasi aturan kami sendiri.",
    )
    for position, (label, record_type, measure, field, target, weight, step) in enumerate(COMPONENTS):
        Component.objects.create(
            scheme=scheme,
            position=position * 10,
            label=label,
            record_type=record_type,
            measure=measure,
            field=field,
            target=Decimal(target),
            target_growth="fixed",
            weight=Decimal(weight),
            rounding_step=Decimal(step),
        )


class Migration(migrations.Migration):
    dependencies = [("kpi", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
