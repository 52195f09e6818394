"""Site search (*pencarian*): libraries, records, regions and people, only within the user's scope."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from tpbis.accounts.models import Membership, Role, User
from tpbis.accounts.scope import Scope
from tpbis.core.text import fold
from tpbis.libraries.models import Library
from tpbis.libraries.selectors import library_qs_for_scope
from tpbis.regions.codes import normalize_code
from tpbis.regions.models import Region
from tpbis.regions.selectors import region_label
from tpbis.reports.models import record_models
from tpbis.reports.selectors import record_qs_for_scope
from tpbis.search.matching import SearchText, near_match, near_prepare, text_match

GROUP_LIMIT = 10
# Counting every match of a common word over years of records costs a scan; past this we say "100+".
COUNT_CAP = 100


@dataclass(frozen=True)
class SearchHit:
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class ResultGroup:
    key: str
    label: str
    hits: list[SearchHit]
    count: int
    capped: bool  # more matches than COUNT_CAP

    @property
    def has_more(self) -> bool:
        return self.count > len(self.hits)


# Groups that apps above this one add (good practices, courses): a function (scope, query) -> ResultGroup,
# registered from the app's ready(). Each must keep to the viewer's scope like the groups below.
GroupProvider = Callable[[Scope, SearchText], ResultGroup]
_PROVIDERS: dict[str, GroupProvider] = {}


def search_group_register(key: str, provider: GroupProvider) -> None:
    _PROVIDERS[key] = provider


def search_group(
    key: str,
    label: str,
    qs: QuerySet[Any],
    hits: Callable[[list[Any]], list[SearchHit]],
) -> ResultGroup:
    """A group built the way the built-in ones are: the first rows, and a capped count when the page is full."""
    return _group(key, label, qs, hits)


def search_for_user(*, scope: Scope, text: str) -> list[ResultGroup]:
    """Every kind of thing matching `text` that the user may see, in groups of at most GROUP_LIMIT.

    Two queries at most per group whatever the data size: the first page, and a capped count only when
    the page is full.
    """
    query = SearchText.parse(text)
    if scope.is_empty:
        return []
    groups = [_library_group(scope, query)]
    groups += [_record_group(scope, query, record_type, model) for record_type, model in _titled_record_types()]
    if scope.national or scope.provinces or scope.regencies:
        groups.append(_region_group(scope, query))
    groups.append(_people_group(scope, query))
    groups += [provider(scope, query) for _key, provider in sorted(_PROVIDERS.items())]
    return groups


def _group(
    key: str,
    label: str,
    qs: QuerySet[Any],
    hits: Callable[[list[Any]], list[SearchHit]],
    near: QuerySet[Any] | None = None,
) -> ResultGroup:
    """The first rows of `qs` and their count; `near` (names close to the text) only when `qs` is empty."""
    rows = list(qs[:GROUP_LIMIT])
    if not rows and near is not None:
        near_prepare(near.db)
        qs = near
        rows = list(qs[:GROUP_LIMIT])
    count = len(rows)
    if count == GROUP_LIMIT:
        count = qs.order_by()[: COUNT_CAP + 1].count()
    return ResultGroup(
        key=key,
        label=label,
        hits=hits(rows),
        count=min(count, COUNT_CAP),
        capped=count > COUNT_CAP,
    )


# ------------------------------------------------------------------------------------------- libraries


def _library_group(scope: Scope, query: SearchText) -> ResultGroup:
    libraries = library_qs_for_scope(scope=scope).select_related("region", "regency")
    qs = text_match(libraries, fields=("name", "npp", "region__name"), query=query).order_by("name", "pk")
    near = near_match(libraries, fields=("name",), query=query)
    return _group(
        "libraries",
        _("Perpustakaan"),
        qs,
        lambda rows: [_library_hit(row) for row in rows],
        near=near.order_by("-search_rank", "name", "pk") if near is not None else None,
    )


def _library_hit(library: Library) -> SearchHit:
    parts = [library.region.short_name]
    if library.regency and library.regency_id != library.region_id:
        parts.append(library.regency.short_name)
    if library.npp:
        parts.append(_("NPP %(npp)s") % {"npp": library.npp})
    if not library.is_active:
        parts.append(_("Nonaktif"))
    return SearchHit(title=library.name, url=reverse("libraries:detail", args=[library.pk]), detail=" · ".join(parts))


# --------------------------------------------------------------------------------------------- records


def _titled_record_types() -> list[tuple[str, type[Any]]]:
    """Record types people name (activities, advocacy, publicity); monthly figures have no title."""
    return [(record_type, model) for record_type, model in record_models().items() if model.TITLE_FIELD]


def _record_group(scope: Scope, query: SearchText, record_type: str, model: type[Any]) -> ResultGroup:
    # Newest entries first: ordered by the primary key so that PostgreSQL walks its index backwards.
    qs = text_match(record_qs_for_scope(model=model, scope=scope), fields=(model.TITLE_FIELD,), query=query)
    qs = qs.select_related("library").order_by("-pk")

    def hit(record: Any) -> SearchHit:
        parts = [record.library.name]
        if record.date:
            parts.append(date_format(record.date, "j M Y"))
        parts.append(str(record.get_status_display()))
        return SearchHit(
            title=record.title_text,
            url=reverse("reports:detail", args=[record_type, record.pk]),
            detail=" · ".join(parts),
        )

    label = capfirst(str(model._meta.verbose_name_plural))
    return _group(f"records-{record_type}", label, qs, lambda rows: [hit(row) for row in rows])


# --------------------------------------------------------------------------------------------- regions


def _region_group(scope: Scope, query: SearchText) -> ResultGroup:
    """Regions inside the user's areas, matched as the region picker matches them (name or code)."""
    qs = Region.objects.filter(scope.region_filter())
    code = normalize_code(query.text)
    if code is not None:
        qs = qs.filter(Q(code=code) | Q(code__startswith=code + ".")).order_by("code")
    else:
        folded = fold(query.text)
        qs = qs.filter(search_name__contains=folded) if folded else qs.none()
        # Level first: "lamongan" lists the kabupaten before villages that carry its name.
        qs = qs.order_by("level", "search_name", "code")
    return _group("regions", _("Wilayah"), qs, _region_hits)


def _region_hits(regions: list[Region]) -> list[SearchHit]:
    ancestor_codes = {".".join(r.code.split(".")[: i + 1]) for r in regions for i in range(r.code.count(".") + 1)}
    ancestors = Region.objects.in_bulk(sorted(ancestor_codes)) if regions else {}
    dashboard = reverse("dashboards:region")
    return [
        SearchHit(
            title=region.short_name,
            url=f"{dashboard}?wilayah={region.code}",
            detail=f"{region.get_kind_display()} · {region_label(region=region, ancestors=ancestors)}",
        )
        for region in regions
    ]


# ---------------------------------------------------------------------------------------------- people


def _membership_scope(scope: Scope) -> Q:
    """Memberships the viewer may know about: of libraries in scope, and of regions within their areas.

    A manager therefore sees only the people of their own library; nobody learns of accounts elsewhere.
    """
    if scope.national:
        return Q()
    q = Q(library__isnull=False) & scope.library_filter("library__")
    for code in sorted(scope.provinces | scope.regencies):
        q |= Q(region_id=code) | Q(region__code__startswith=code + ".")
    return q


def _people_group(scope: Scope, query: SearchText) -> ResultGroup:
    visible = Membership.objects.filter(_membership_scope(scope))
    memberships = visible.select_related("library", "region").order_by("role", "pk")
    people = User.objects.filter(Exists(visible.filter(user_id=OuterRef("pk")))).prefetch_related(
        Prefetch("memberships", queryset=memberships, to_attr="visible_memberships")
    )
    qs = text_match(people, fields=("full_name", "email"), query=query).order_by("full_name", "email", "pk")
    near = near_match(people, fields=("full_name",), query=query)
    return _group(
        "people",
        _("Orang"),
        qs,
        lambda rows: [_person_hit(row) for row in rows],
        near=near.order_by("-search_rank", "full_name", "email", "pk") if near is not None else None,
    )


def _person_hit(user: User) -> SearchHit:
    memberships: Iterable[Membership] = getattr(user, "visible_memberships", [])
    roles, url = [], ""
    for membership in memberships:
        where = membership.library.name if membership.library else (membership.region or _("Nasional"))
        roles.append(f"{membership.get_role_display()} · {where}")
        if membership.role == Role.MANAGER and membership.library_id and not url:
            url = reverse("libraries:detail", args=[membership.library_id])
    detail = "; ".join([user.email, *roles]) + ("" if user.is_active else " · " + _("Dinonaktifkan"))
    return SearchHit(title=user.full_name or user.email, url=url, detail=detail)
