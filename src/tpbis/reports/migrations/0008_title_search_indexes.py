"""Trigram indexes on record titles (PostgreSQL with pg_trgm), so a search by a word of a title answers
from an index instead of reading millions of rows; other databases and roles without pg_trgm skip it."""

from __future__ import annotations

from typing import Any

from django.db import DatabaseError, migrations, transaction

TITLED = ("reports_communityengagement", "reports_advocacy", "reports_publicity")


def indexes_create(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError:
        return
    for table in TITLED:
        # The expression Django writes for title__icontains: UPPER("title"::text) LIKE UPPER('%…%').
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_title_trgm ON {table} USING gin (UPPER(title::text) gin_trgm_ops)"
        )
        # Statistics of the indexed expression at once: without them the planner guesses how many titles
        # hold a word, and a national search for a word in every title took 13 s instead of 0.2 s.
        schema_editor.execute(f"ANALYZE {table}")


def indexes_drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TITLED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_title_trgm")


class Migration(migrations.Migration):
    dependencies = [("reports", "0007_auditentry_user_protect")]
    operations = [migrations.RunPython(indexes_create, indexes_drop, elidable=False)]
