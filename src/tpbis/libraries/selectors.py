"""Reads of partner libraries, always through the user's scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from tpbis.accounts.models import Invitation, Membership, Role
from tpbis.accounts.scope import Scope
from tpbis.libraries.models import AccountStatus, Library
from tpbis.reports.models import Advocacy, CommunityEngagement, InformationService, Publicity, Visitors


def _entered_this_month() -> Any:
    """A manager of the library entered a record of any type since the first of this month."""
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    condition: Any = None
    for model in (CommunityEngagement, Advocacy, Publicity, InformationService, Visitors):
        exists = Exists(
            model.objects.filter(
                library=OuterRef("pk"),
                created_at__gte=month_start,
                entered_by__memberships__library=OuterRef("pk"),
                entered_by__memberships__role=Role.MANAGER,
            )
        )
        condition = exists if condition is None else condition | exists
    return condition


def with_account_status(qs: QuerySet[Library]) -> QuerySet[Library]:
    """Annotate `account_status`: reporting this month (a manager entered a record since the first of
    the month), activated (a manager has signed in), invited (an account or a live invitation exists
    but nobody has signed in) or none. Disabled accounts do not count."""
    managers = Membership.objects.filter(library=OuterRef("pk"), role=Role.MANAGER, user__is_active=True)
    live_invitation = Invitation.objects.filter(
        library=OuterRef("pk"), accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    return qs.annotate(
        account_status=Case(
            When(
                Exists(managers.filter(user__last_login__isnull=False)) & _entered_this_month(),
                then=Value(AccountStatus.ACTIVE_MONTH.value),
            ),
            When(Exists(managers.filter(user__last_login__isnull=False)), then=Value(AccountStatus.ACTIVATED.value)),
            When(Exists(managers) | Exists(live_invitation), then=Value(AccountStatus.INVITED.value)),
            default=Value(AccountStatus.NONE.value),
            output_field=CharField(),
        )
    )


def library_qs_for_scope(*, scope: Scope) -> QuerySet[Library]:
    return Library.objects.filter(scope.library_filter())


@dataclass(frozen=True)
class LibraryFilters:
    region: str | None = None  # dotted code of any level
    kind: str | None = None
    support: str | None = None
    cohort_year: int | None = None
    account_status: str | None = None
    active: str = "active"  # "active", "inactive" or "all"
    q: str = ""


def library_list_for_user(*, scope: Scope, filters: LibraryFilters) -> QuerySet[Library]:
    """Libraries the user may see, filtered, with their account status, ordered by region then name."""
    qs = with_account_status(library_qs_for_scope(scope=scope)).select_related("region", "region__parent")
    if filters.region:
        qs = qs.filter(Q(region_id=filters.region) | Q(region__code__startswith=filters.region + "."))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.support:
        qs = qs.filter(support=filters.support)
    if filters.cohort_year:
        qs = qs.filter(cohort_year=filters.cohort_year)
    if filters.active == "active":
        qs = qs.filter(is_active=True)
    elif filters.active == "inactive":
        qs = qs.filter(is_active=False)
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(Q(name__icontains=term) | Q(npp__iexact=term) | Q(region__name__icontains=term))
    if filters.account_status:
        qs = qs.filter(account_status=filters.account_status)  # type: ignore[misc]
    return qs.order_by("region_id", "name", "pk")


def library_get_for_user(*, scope: Scope, pk: int) -> Library:
    """The library if the user's scope covers it; 404 otherwise (its existence is not revealed)."""
    library = (
        with_account_status(library_qs_for_scope(scope=scope))
        .select_related("region", "region__parent", "province", "regency")
        .filter(pk=pk)
        .first()
    )
    if library is None:
        raise Http404
    return library


def account_status_counts(*, qs: QuerySet[Library]) -> dict[str, Any]:
    """Counts (and shares) of libraries per account status for an already filtered queryset, one query."""
    rows = dict(qs.order_by().values_list("account_status").annotate(n=Count("pk")).values_list("account_status", "n"))  # type: ignore[misc]
    total = sum(rows.values())
    counts: dict[str, Any] = {"total": total}
    for status in AccountStatus:
        n = rows.get(status.value, 0)
        counts[status.value] = {"count": n, "pct": round(100 * n / total, 1) if total else 0.0, "label": status.label}
    return counts


def account_status_by_region(*, scope: Scope, parent_code: str | None) -> list[dict[str, Any]]:
    """One row per child region of `parent_code` (provinces for the nation) with account-status counts.

    One GROUP BY over the libraries in scope, grouped by the child region's code.
    """
    base = with_account_status(library_qs_for_scope(scope=scope).filter(is_active=True))
    if parent_code:
        base = base.filter(Q(region_id=parent_code) | Q(region__code__startswith=parent_code + "."))
    # Child codes are prefixes of the library's region code: 2 chars for provinces, 5 for kabupaten/kota,
    # 8 for kecamatan. A library registered at the parent level itself groups under the parent's code.
    child_length = {0: 2, 1: 5, 2: 8}.get(parent_code.count(".") + 1 if parent_code else 0, 13)
    base = base.annotate(child_code=Substr("region_id", 1, child_length))
    group_field = "child_code"
    rows = (
        base.order_by()
        .values(group_field)
        .annotate(
            total=Count("pk"),
            none=Count("pk", filter=Q(account_status=AccountStatus.NONE.value)),
            invited=Count("pk", filter=Q(account_status=AccountStatus.INVITED.value)),
            activated=Count("pk", filter=Q(account_status=AccountStatus.ACTIVATED.value)),
            active_month=Count("pk", filter=Q(account_status=AccountStatus.ACTIVE_MONTH.value)),
        )
        .order_by(group_field)
    )
    result = []
    for row in rows:
        total = row["total"]
        result.append(
            {
                "code": row[group_field],
                "total": total,
                "none": row["none"],
                "invited": row["invited"],
                "activated": row["activated"],
                "active_month": row["active_month"],
                "none_pct": round(100 * row["none"] / total, 1) if total else 0.0,
            }
        )
    return result
