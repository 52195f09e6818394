"""Navigation entries for the signed-in user's role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from tpbis.accounts.models import Role
from tpbis.accounts.scope import Scope
from tpbis.core.templatetags.core_tags import num

# A count shown beside a menu entry ("Verifikasi (12)"), keyed by the entry's URL name. Apps above accounts
# register one from their AppConfig.ready(), so the menu never imports them.
_NAV_COUNTS: dict[str, Callable[[HttpRequest], int]] = {}
# A count may stop at this many: the menu then reads "Verifikasi (999+)", and counting stays cheap.
NAV_COUNT_CAP = 1000


def nav_count_register(url_name: str, count: Callable[[HttpRequest], int]) -> None:
    _NAV_COUNTS[url_name] = count


def _with_count(request: HttpRequest, url_name: str, label: str) -> str:
    count = _NAV_COUNTS.get(url_name)
    if count is None:
        return label
    # Lazy: the COUNT runs only when a page prints the menu, not for every htmx fragment.
    return lazy(lambda: f"{label} ({_count_text(count(request))})", str)()


def _count_text(count: int) -> str:
    return f"{num(NAV_COUNT_CAP - 1)}+" if count >= NAV_COUNT_CAP else num(count)


# Where a menu entry is grouped, by URL name, so twenty entries stay readable; unlisted entries are work.
_NAV_GROUPS = {
    "dashboards:region": "results",
    "kpi:ranking": "results",
    "reportcards:gathering": "results",
    "public:figures": "results",
    "elis:home": "learning",
    "practices:list": "learning",
    "practices:public_list": "learning",
    "help:index": "learning",
    "kpi:schemes": "settings",
    "audit:list": "settings",
    "admin:index": "settings",
}


def _grouped(items: list[tuple[str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The entries under their group's title, groups in a fixed order, empty groups left out."""
    titles = {"work": _("Pekerjaan"), "results": _("Capaian"), "learning": _("Belajar"), "settings": _("Pengaturan")}
    group_of = {reverse(name): group for name, group in _NAV_GROUPS.items()}
    groups: dict[str, list[tuple[str, str]]] = {key: [] for key in titles}
    for url, label in items:
        groups[group_of.get(url, "work")].append((url, label))
    return [(titles[key], entries) for key, entries in groups.items() if entries]


def _public_items() -> list[tuple[str, str]]:
    return [
        (reverse("accounts:login"), _("Masuk")),
        (reverse("public:figures"), _("Capaian program")),
        (reverse("practices:public_list"), _("Praktik baik")),
        (reverse("help:index"), _("Bantuan")),
    ]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        public = _public_items()
        return {"nav_items": public, "nav_groups": _grouped(public)}
    scope: Scope = request.scope  # type: ignore[attr-defined]
    role = scope.highest_role
    items: list[tuple[str, str]] = [(reverse("home"), _("Beranda"))]
    if scope.libraries and role == Role.MANAGER and len(scope.libraries) == 1:
        library_id = next(iter(scope.libraries))
        items.append((reverse("libraries:detail", args=[library_id]), _("Perpustakaan saya")))
        items.append((reverse("profiles:edit", args=[library_id]), _("Profil perpustakaan")))
    elif role is not None:
        items.append((reverse("libraries:list"), _("Mitra")))
        items.append((reverse("profiles:list"), _("Profil IPLM")))
    if role is not None:
        items.append((reverse("reports:list"), _("Laporan")))
    if role is not None:  # managers are invited to gatherings, register and check in there
        items.append((reverse("gatherings:list"), _("Gathering")))
    items.append((reverse("elis:home"), _("Elis")))
    items.append((reverse("practices:list"), _("Praktik baik")))
    if Scope.at_least(role, Role.FACILITATOR):
        items.append((reverse("dashboards:region"), _("Dasbor")))
        items.append((reverse("reports:queue"), _with_count(request, "reports:queue", _("Verifikasi"))))
        items.append((reverse("kpi:ranking"), _("Peringkat IKU")))
        items.append((reverse("reportcards:gathering"), _("Laporan gathering")))
        items.append((reverse("libraries:onboarding"), _("Akun mitra")))
        items.append((reverse("surveys:region"), _("Survei")))
        items.append((reverse("quality:flags"), _("Kualitas data")))
        items.append((reverse("duplicates:list"), _("Duplikat")))
    if Scope.at_least(role, Role.FACILITATOR):  # facilitators import manager accounts
        items.append((reverse("libraries:import"), _("Impor")))
        items.append((reverse("reports:import"), _("Impor laporan")))
    if Scope.at_least(role, Role.PROVINCE):
        items.append((reverse("reminders:rules"), _("Pengingat")))
    elif role == Role.FACILITATOR:  # facilitators see who will be reminded; rules are the province's
        items.append((reverse("reminders:preview"), _("Pengingat")))
    if role == Role.NATIONAL:
        items.append((reverse("kpi:schemes"), _("Skema IKU")))
        items.append((reverse("audit:list"), _("Jejak audit")))
    if role == Role.NATIONAL and user.is_staff:
        items.append((reverse("admin:index"), _("Admin")))
    items.append((reverse("public:figures"), _("Capaian program")))
    items.append((reverse("help:index"), _("Bantuan")))
    return {"nav_items": items, "nav_groups": _grouped(items), "user_role": role}
