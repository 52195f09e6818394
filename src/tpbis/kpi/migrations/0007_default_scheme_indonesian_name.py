"""The default scheme's name in Indonesian: "TPBIS 2026, calibrated" showed English on every score card."""

from __future__ import annotations

from django.db import migrations

OLD, NEW = "TPBIS 2026, calibrated", "IKU TPBIS 2026"


def rename(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("kpi", "Scheme").objects.filter(name=OLD).update(name=NEW)


def rename_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("kpi", "Scheme").objects.filter(name=NEW).update(name=OLD)


class Migration(migrations.Migration):
    dependencies = [("kpi", "0006_scheme_january_june_2026")]
    operations = [migrations.RunPython(rename, rename_back)]
