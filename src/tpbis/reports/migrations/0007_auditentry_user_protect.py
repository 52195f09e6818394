"""A user with record history can never be deleted; past "3E+1" values in histories read "30" again."""

from decimal import Decimal, InvalidOperation
from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _plain(value: Any) -> Any:
    if not isinstance(value, str) or "E" not in value.upper():
        return value
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    return format(number.normalize(), "f") if number.is_finite() else value


def rewrite_exponents(apps: Any, schema_editor: Any) -> None:
    """Entries written before the fix stored a decimal 30.00 as "3E+1"; only decimal fields did."""
    AuditEntry = apps.get_model("reports", "AuditEntry")
    for entry in AuditEntry.objects.filter(changes__has_key="bandwidth").iterator():
        pair = entry.changes["bandwidth"]
        fixed = [_plain(value) for value in pair] if isinstance(pair, list) else pair
        if fixed != pair:
            entry.changes["bandwidth"] = fixed
            entry.save(update_fields=["changes"])


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_record_last_edited_by"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="user",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(rewrite_exponents, migrations.RunPython.noop),
    ]
