"""Indonesian formats: Django's, with dates written "6 Des 2026" and "6 Des 2026, 14.30"."""

from django.conf.locale.id.formats import *  # type: ignore[import-untyped]  # noqa: F403 (every other Indonesian format stays Django's)

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, G.i"
