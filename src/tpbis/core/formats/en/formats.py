"""English formats: Django's, with dates in the same day-month-year order as Indonesian ("6 Dec 2026")."""

from django.conf.locale.en.formats import *  # type: ignore[import-untyped]  # noqa: F403 (every other English format stays Django's)

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
