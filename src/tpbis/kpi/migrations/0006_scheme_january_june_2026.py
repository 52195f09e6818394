"""The real SIM's scheme of January–June 2026 (DOMAIN.md "KPI (IKU)"), in effect 1 January–30 June 2026 only.

The real scores of Kab. Probolinggo on 19 and 21 June 2026 give publicity 15 × min(1, n/8), rounded down
to a multiple of 1.25; from 1 July it is 11.25 × min(1, n/4), the calibrated scheme's rule. Every other part
is the calibrated scheme's. Before 2026 and from 1 July 2026 the calibrated scheme applies.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import migrations

NAME = "TPBIS 2026 (Januari–Juni)"
COMPONENTS = [
    # label, record type, measure, field, target, weight, rounding step
    ("Pelibatan masyarakat", "pelibatan", "count", "", "7", "17.5", "2.5"),
    ("Publikasi", "publikasi", "count", "", "8", "15", "1.25"),
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
    if Scheme.objects.filter(name=NAME).exists():
        return
    scheme = Scheme.objects.create(
        name=NAME,
        effective_from=dt.date(2026, 1, 1),
        effective_until=dt.date(2026, 6, 30),
        library_kinds=[],
        green_above=Decimal(75),
        yellow_above=Decimal(25),
        notes=(
            "Aturan SIM lama Januari–Juni 2026: publikasi 15 poin, penuh pada 8 publikasi (skor nyata Kab. "
            "Probolinggo 19 dan 21 Juni 2026). Mulai 1 Juli 2026 skema terkalibrasi berlaku lagi."
        ),
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


def remove(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("kpi", "Scheme").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("kpi", "0005_scheme_effective_until")]
    operations = [migrations.RunPython(create, remove)]
