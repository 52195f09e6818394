"""Reads of gatherings, always through the user's scope: out of reach is a 404."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from tpbis.accounts.models import Membership, Role, User
from tpbis.accounts.scope import Scope
from tpbis.gatherings.models import Attendance, FollowUp, Gathering
from tpbis.libraries.models import Library
from tpbis.regions.models import Level, Region


def is_staff(scope: Scope) -> bool:
    return Scope.at_least(scope.highest_role, Role.FACILITATOR)


def _areas(scope: Scope) -> list[str]:
    return sorted(scope.provinces | scope.regencies)


def gathering_visible_q(scope: Scope) -> Q:
    """Gatherings a person may open: staff see those of their areas (below or above them: a facilitator
    attends the province's gathering); a manager sees those their library is invited to."""
    if scope.national:
        return Q()
    q = Q(pk__in=[])
    for code in _areas(scope):
        q |= Q(region_id=code) | Q(region__code__startswith=code + ".")
        if len(code) > 2:
            q |= Q(region_id=code[:2])  # the province a kabupaten belongs to
    if scope.libraries:
        q |= Q(invitees__library_id__in=sorted(scope.libraries))
    return q


def gathering_list_for_user(*, scope: Scope) -> QuerySet[Gathering]:
    ids = Gathering.objects.filter(gathering_visible_q(scope)).values("pk")
    return (
        Gathering.objects.filter(pk__in=ids)
        .select_related("region")
        .annotate(invited=Count("invitees", distinct=True), present=Count("attendances", distinct=True))
        .order_by("-date", "-start_time", "-pk")
    )


def gathering_get_for_user(*, scope: Scope, pk: int) -> Gathering:
    """The gathering if the person may see it; 404 otherwise (its existence is not revealed)."""
    gathering = (
        Gathering.objects.filter(gathering_visible_q(scope), pk=pk).select_related("region", "created_by").first()
    )
    if gathering is None:
        raise Http404
    return gathering


def can_organise(scope: Scope, region_code: str) -> bool:
    """Whether a person may create or run a gathering for a region: a facilitator their kabupaten, a
    provincial officer their province and its kabupaten, the national team anywhere."""
    return Scope.at_least(scope.role_for_region(region_code), Role.FACILITATOR)


def organisable_regions(*, scope: Scope) -> QuerySet[Region]:
    """The provinces and kabupaten/kota a person may hold a gathering for."""
    levels = Q(level__in=[Level.PROVINCE, Level.REGENCY])
    if scope.national:
        return Region.objects.filter(levels).order_by("code")
    q = Q(code__in=sorted(scope.regencies))
    for code in sorted(scope.provinces):
        q |= Q(code=code) | Q(code__startswith=code + ".", level=Level.REGENCY)
    return Region.objects.filter(levels, q).order_by("code")


def region_partners(*, region_code: str) -> QuerySet[Library]:
    """The active partner libraries of a province or kabupaten/kota."""
    column = "province_id" if len(region_code) == 2 else "regency_id"
    return Library.objects.filter(is_active=True, **{column: region_code}).order_by("name", "pk")


def invited_libraries(gathering: Gathering) -> QuerySet[Library]:
    return Library.objects.filter(pk__in=gathering.invitees.values("library_id")).select_related("region")


def invited_library_of(*, gathering: Gathering, user: User) -> Library | None:
    """The invited library this person manages (the first by name when several), else None."""
    return (
        invited_libraries(gathering)
        .filter(memberships__user=user, memberships__role=Role.MANAGER)
        .order_by("name", "pk")
        .first()
    )


def invited_managers(gathering: Gathering) -> QuerySet[Membership]:
    """Every manager of an invited library, with the person and the library."""
    return (
        Membership.objects.filter(
            role=Role.MANAGER, library_id__in=gathering.invitees.values("library_id"), user__is_active=True
        )
        .select_related("user", "library")
        .order_by("library__name", "user__full_name", "pk")
    )


@dataclass(frozen=True)
class AttendanceCount:
    people: int
    libraries: int


def attendance_count(gathering: Gathering) -> AttendanceCount:
    row = Attendance.objects.filter(gathering=gathering).aggregate(
        people=Count("user_id", distinct=True), libraries=Count("library_id", distinct=True)
    )
    return AttendanceCount(people=row["people"], libraries=row["libraries"])


def facilitators_of(library: Library) -> QuerySet[User]:
    """The facilitators of a library's kabupaten/kota: who may own a follow-up for it."""
    return (
        User.objects.filter(
            is_active=True, memberships__role=Role.FACILITATOR, memberships__region_id=library.regency_id
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def facilitators_for_invited(gathering: Gathering) -> QuerySet[Membership]:
    """The facilitator memberships over the kabupaten/kota of the invited libraries, with person and region."""
    regencies = Library.objects.filter(pk__in=gathering.invitees.values("library_id")).values("regency_id")
    return (
        Membership.objects.filter(role=Role.FACILITATOR, region_id__in=regencies, user__is_active=True)
        .select_related("user", "region")
        .order_by("user__full_name", "pk")
    )


def followups_open_for(*, user: User) -> QuerySet[FollowUp]:
    """Follow-ups this person owns that are not done yet, the earliest due first."""
    return (
        FollowUp.objects.filter(owner=user, done_at__isnull=True)
        .select_related("library", "gathering")
        .order_by("due_date", "pk")
    )
