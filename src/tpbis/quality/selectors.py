"""Reads of outlier flags, always through the user's scope, and the sentence a facilitator reads."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import formats
from django.utils.translation import gettext as _

from tpbis.accounts.scope import Scope
from tpbis.core.templatetags.core_tags import num
from tpbis.quality.measures import value_text
from tpbis.quality.models import Basis, FollowUp, OutlierFlag
from tpbis.regions.models import Region


@dataclass(frozen=True)
class RegionChoice:
    code: str | None  # None: the nation
    name: str


def quality_region_for_user(*, scope: Scope, code: str | None) -> RegionChoice:
    """The region whose flags are shown: the asked one if in scope (404 otherwise), else the user's first."""
    code = (code or "").strip() or None
    if code is None:
        if scope.national:
            return RegionChoice(None, _("Nasional"))
        areas = sorted(scope.provinces) or sorted(scope.regencies)
        if not areas:
            raise Http404
        code = areas[0]
    if not scope.covers_region(code):
        raise Http404
    region = Region.objects.filter(code=code).only("code", "name", "level").first()
    if region is None:
        raise Http404
    return RegionChoice(region.code, region.short_name)


def _region_filter(code: str | None) -> Q:
    if code is None:
        return Q()
    if len(code) == 2:
        return Q(province_id=code)
    if len(code) == 5:
        return Q(regency_id=code)
    return Q(library__region_id=code) | Q(library__region_id__startswith=code + ".")


# The columns the flag list, the API and flag_text read: a page of the nation's flags reads nothing more.
_LISTED = (
    *(f.name for f in OutlierFlag._meta.concrete_fields if f.name not in ("library", "followed_by")),
    "library__name",
    "library__region__code",
    "library__region__name",
    "library__region__level",
    "library__region__kind",
    "followed_by__full_name",
    "followed_by__email",
)


def flags_for_user(*, scope: Scope, region_code: str | None, status: str | None = None) -> QuerySet[OutlierFlag]:
    """Flags of the region within the user's scope, farthest first."""
    qs = OutlierFlag.objects.filter(scope.library_filter("library__")).filter(_region_filter(region_code))
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("library", "library__region", "followed_by").only(*_LISTED).order_by("-distance", "pk")


def flag_get_for_user(*, scope: Scope, pk: int) -> OutlierFlag:
    flag = OutlierFlag.objects.filter(scope.library_filter("library__"), pk=pk).select_related("library").first()
    if flag is None:
        raise Http404
    return flag


def number_text(value: Decimal | float) -> str:
    """2400 -> "2.400"; 20.5 -> "20,5" (Indonesian); whole numbers without decimals."""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(num(int(number)))
    return formats.number_format(number, decimal_pos=1, use_l10n=True, force_grouping=True)


def flag_text(flag: OutlierFlag) -> str:
    """ "jauh di atas biasanya: 2.400 pengunjung, biasanya 150–300"."""
    value = value_text(flag.measure, float(flag.value), number_text(flag.value))
    low = number_text(flag.usual_low) if flag.usual_low is not None else ""
    high = number_text(flag.usual_high) if flag.usual_high is not None else ""
    if flag.basis == Basis.BOUNDS:
        if flag.usual_high is None:
            return _("di bawah batas: %(value)s, batas paling sedikit %(low)s") % {"value": value, "low": low}
        return _("di luar batas: %(value)s, batas %(low)s–%(high)s") % {"value": value, "low": low, "high": high}
    texts = {
        (Basis.HISTORY, True): _("jauh di atas biasanya: %(value)s, biasanya %(low)s–%(high)s"),
        (Basis.HISTORY, False): _("jauh di bawah biasanya: %(value)s, biasanya %(low)s–%(high)s"),
        (Basis.PEERS, True): _("jauh di atas perpustakaan sejenis: %(value)s, biasanya %(low)s–%(high)s"),
        (Basis.PEERS, False): _("jauh di bawah perpustakaan sejenis: %(value)s, biasanya %(low)s–%(high)s"),
    }
    return texts[(Basis(flag.basis), flag.high)] % {"value": value, "low": low, "high": high}


def queue_flag_notes(records: list[Any]) -> dict[int, list[str]]:
    """The flag sentences of a page of the verification queue (one query), by record id."""
    if not records or not hasattr(records[0], "library_id"):
        return {}
    record_type = type(records[0]).RECORD_TYPE
    notes: dict[int, list[str]] = {}
    for flag in OutlierFlag.objects.filter(record_type=record_type, record_id__in=[r.pk for r in records]).order_by(
        "-distance"
    ):
        text = flag_text(flag)
        if flag.status != FollowUp.OPEN:
            text = f"{text} ({FollowUp(flag.status).label})"
        notes.setdefault(flag.record_id, []).append(text)
    return notes
