"""The public floor: what anyone sees without signing in, one rule for `/capaian/` and `/api/v1/stats`.

Figures are public for the nation, a province and a kabupaten/kota, never for a kecamatan or a village:
there, one partner library is often the whole figure, and its unverified work would be published as
the region's. Below the floor, a signed-in user sees the regions of their own scope (the dashboards).
"""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from tpbis.regions.models import Level

PUBLIC_FLOOR = Level.REGENCY


def region_level(code: str | None) -> int:
    """0 for the nation (no code), else the number of parts of the dotted code."""
    return 0 if not code else code.count(".") + 1


def public_allows(code: str | None) -> bool:
    """Whether a region's figures are public: the nation down to kabupaten/kota."""
    return region_level(code) <= PUBLIC_FLOOR


def public_children_shown(code: str | None) -> bool:
    """Whether the public figures of a region list its child regions (only children above the floor)."""
    return region_level(code) + 1 <= PUBLIC_FLOOR


def below_floor_message() -> str:
    return _(
        "Angka publik hanya tersedia sampai tingkat kabupaten/kota. Masuk atau kirim token API untuk "
        "wilayah kerja Anda."
    )


def public_region_check(code: str | None) -> None:
    """Http404 for a region below the public floor."""
    if not public_allows(code):
        raise Http404(below_floor_message())
