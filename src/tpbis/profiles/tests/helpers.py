"""Profiles and form posts for the tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tpbis.libraries.models import Library
from tpbis.profiles.models import InternetKind, LibraryProfile
from tpbis.reports.models import Status, Visitors

YEAR = 2026


def profile_make(library: Library, year: int = YEAR, **extra: Any) -> LibraryProfile:
    fields: dict[str, Any] = {
        "titles": 1_250,
        "copies": 2_400,
        "staff_paid": 1,
        "staff_volunteer": 3,
        "staff_trained": 2,
        "members": 310,
        "opening_days": 6,
        "opening_hours": Decimal("5.5"),
        "has_internet": True,
        "internet_kind": InternetKind.MOBILE,
        **extra,
    }
    return LibraryProfile.objects.create(library=library, year=year, **fields)


def form_data(**overrides: Any) -> dict[str, Any]:
    """What the form posts for a plausible village library, version 0 (no profile yet)."""
    return {
        "version": "0",
        "titles": "1250",
        "copies": "2400",
        "staff_paid": "1",
        "staff_volunteer": "3",
        "staff_trained": "2",
        "members": "310",
        "opening_days": "6",
        "opening_hours": "5.5",
        "has_internet": "1",
        "internet_kind": "seluler",
        "latitude": "",
        "longitude": "",
        **overrides,
    }


def visitors(library: Library, month: int, total: int, *, year: int = YEAR, status: str = Status.SUBMITTED) -> Visitors:
    male = total // 2
    return Visitors.objects.create(
        library=library, year=year, month=month, male=male, female=total - male, total=total, status=status
    )
