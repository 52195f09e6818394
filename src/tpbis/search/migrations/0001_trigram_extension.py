"""Enable pg_trgm on PostgreSQL when this database role may, so search can also match misspelt names."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, migrations, transaction


def trigram_enable(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        # A savepoint: a role without the right to create extensions must not abort the migration;
        # search then matches by full text and substrings only (tpbis.search.matching.trigram_available).
        with transaction.atomic(using=connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        pass


class Migration(migrations.Migration):
    initial = True
    dependencies: list[tuple[str, str]] = []
    # The extension may serve others: it is never dropped on the way back.
    operations = [migrations.RunPython(trigram_enable, migrations.RunPython.noop, elidable=False)]
