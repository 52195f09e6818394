"""Profiles for the demo's libraries in Kab. Lamongan and Kab. Bangka Barat, so their facilitators' dashboards
show a map and a completeness figure. Figures and locations are made up (locations scattered around each
kabupaten's centre), like the rest of the demo; about a third of the libraries have not stated one yet."""

from __future__ import annotations

import random
from decimal import Decimal

from django.utils import timezone

from tpbis.accounts.models import User
from tpbis.libraries.models import Library
from tpbis.profiles.models import InternetKind
from tpbis.profiles.services import profile_save

# Kabupaten -> (latitude, longitude, spread in degrees): a box that stays on land around the kabupaten's centre.
DEMO_AREAS: dict[str, tuple[Decimal, Decimal, float]] = {
    "35.24": (Decimal("-7.13"), Decimal("112.30"), 0.12),  # Lamongan
    "19.05": (Decimal("-1.98"), Decimal("105.42"), 0.08),  # Bangka Barat
}
STATED_SHARE = 0.65


def profiles_demo_load(*, rng: random.Random, actor: User) -> int:
    """State this year's profile for about two thirds of the demo kabupaten's libraries; returns how many."""
    year = timezone.localdate().year
    made = 0
    for library in Library.objects.filter(regency_id__in=DEMO_AREAS, is_active=True).order_by("pk"):
        if rng.random() > STATED_SHARE or library.regency_id is None:
            continue
        latitude, longitude, spread = DEMO_AREAS[library.regency_id]
        titles = rng.randint(250, 2_500)
        paid, volunteer = rng.randint(0, 2), rng.randint(1, 5)
        internet = rng.random() < 0.7
        data = {
            "titles": titles,
            "copies": titles + rng.randint(0, titles),
            "staff_paid": paid,
            "staff_volunteer": volunteer,
            "staff_trained": rng.randint(0, paid + volunteer),
            "members": rng.randint(40, 900),
            "opening_days": rng.randint(3, 6),
            "opening_hours": Decimal(rng.choice(["3", "4", "5.5", "6", "8"])),
            "has_internet": internet,
            "internet_kind": rng.choice([InternetKind.MOBILE, InternetKind.FIXED]) if internet else "",
            "latitude": (latitude + Decimal(str(round(rng.uniform(-spread, spread), 6)))).quantize(Decimal("0.000001")),
            "longitude": (longitude + Decimal(str(round(rng.uniform(-spread, spread), 6)))).quantize(
                Decimal("0.000001")
            ),
        }
        profile_save(library=library, year=year, data=data, seen_version=0, actor=actor)
        made += 1
    return made
