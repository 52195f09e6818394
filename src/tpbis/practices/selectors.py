"""Reading good practices: who sees which, search with tag filters, and "Coba ini" suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from tpbis.accounts.models import Role
from tpbis.accounts.scope import Scope
from tpbis.kpi.models import Colour
from tpbis.libraries.models import Library
from tpbis.practices.models import Practice, PracticeStatus
from tpbis.reports.models import Status, record_models
from tpbis.search.matching import SearchText, text_match

SEARCH_FIELDS = ("title", "problem", "steps", "results", "library__name")
# Activities, advocacy and publicity have titles a person recognises; monthly figures do not.
LINKABLE_TYPES = ("pelibatan", "advokasi", "publikasi")
LINKABLE_LIMIT = 60
SUGGESTION_LIMIT = 3
WRITER_ROLES = (Role.MANAGER, Role.FACILITATOR)


def practice_qs_visible(*, scope: Scope) -> QuerySet[Practice]:
    """Published practices for everyone signed in (any region); the others only within the scope that
    covers their library (its managers, its kabupaten's facilitators, its province, the national team)."""
    if scope.national:
        # library_filter() is an empty Q for the nation, and `Q(...) | Q()` would drop it.
        return Practice.objects.all()
    return Practice.objects.filter(Q(status=PracticeStatus.PUBLISHED) | scope.library_filter("library__"))


def practice_get_for_user(*, scope: Scope, pk: int) -> Practice:
    """The practice if the user may read it; 404 otherwise (an unpublished one elsewhere is not revealed)."""
    practice = (
        practice_qs_visible(scope=scope)
        .select_related("library", "library__region", "author", "published_by")
        .filter(pk=pk)
        .first()
    )
    if practice is None:
        raise Http404
    return practice


def role_over(*, scope: Scope, library: Library) -> str | None:
    return scope.role_for_library(library_id=library.pk, region_code=library.region_id)


def can_write(*, scope: Scope, library: Library) -> bool:
    """Managers write for their library and facilitators for their kabupaten; the province reviews."""
    return role_over(scope=scope, library=library) in WRITER_ROLES


def can_review(*, scope: Scope, library: Library) -> bool:
    return Scope.at_least(role_over(scope=scope, library=library), Role.PROVINCE)


@dataclass(frozen=True)
class PracticeFilters:
    q: str = ""
    activity_field: str = ""
    audience: str = ""
    cost: str = ""
    advocacy_result: str = ""
    component: str = ""
    status: str = ""
    region: str = ""


def practice_list_for_user(*, scope: Scope, filters: PracticeFilters) -> QuerySet[Practice]:
    """Practices the user may read, matching the words and tags asked for, best match first."""
    qs = practice_qs_visible(scope=scope).select_related("library", "library__region")
    exact = {
        "activity_field": filters.activity_field,
        "audience": filters.audience,
        "cost": filters.cost,
        "advocacy_result": filters.advocacy_result,
        "status": filters.status,
    }
    qs = qs.filter(**{name: value for name, value in exact.items() if value})
    if filters.component:
        qs = qs.filter(components__contains=f",{filters.component},")
    if filters.region:
        qs = qs.filter(Q(library__region_id=filters.region) | Q(library__region__code__startswith=filters.region + "."))
    if filters.q.strip():
        qs = text_match(qs, fields=SEARCH_FIELDS, query=SearchText.parse(filters.q.strip()))
        return qs.order_by("-published_at", "-pk")
    return qs.order_by("-published_at", "-updated_at", "-pk")


def practice_public_list() -> QuerySet[Practice]:
    """What the public page shows: published practices a reviewer marked public."""
    return (
        Practice.objects.filter(status=PracticeStatus.PUBLISHED, is_public=True)
        .select_related("library", "library__region")
        .order_by("-published_at", "-pk")
    )


def practice_public_get(*, pk: int) -> Practice:
    practice = practice_public_list().filter(pk=pk).first()
    if practice is None:
        raise Http404
    return practice


@dataclass(frozen=True)
class LinkedRecord:
    record_type: str
    type_label: str
    title: str
    pk: int


def linkable_records(*, library: Library) -> list[tuple[str, str]]:
    """Choices ("pelibatan:12", label) of the library's recent titled records, newest first."""
    choices: list[tuple[str, str]] = []
    models = record_models()
    for record_type in LINKABLE_TYPES:
        model = models[record_type]
        label = str(model._meta.verbose_name).capitalize()
        rows = (
            model.objects.filter(library=library)
            .exclude(status=Status.WITHDRAWN)
            .order_by("-date", "-pk")
            .values_list("pk", "title", "date")[:LINKABLE_LIMIT]
        )
        for pk, title, date in rows:
            when = f" ({date:%d-%m-%Y})" if date else ""
            choices.append((f"{record_type}:{pk}", f"{label}: {title}{when}"))
    return choices


def linked_records(*, practice: Practice) -> list[LinkedRecord]:
    """The practice's source records with their titles, one query per record type present."""
    by_type: dict[str, list[int]] = {}
    for record_type, pk in practice.record_links.values_list("record_type", "record_id"):
        by_type.setdefault(record_type, []).append(pk)
    models = record_models()
    found: list[LinkedRecord] = []
    for record_type, pks in by_type.items():
        model: Any = models.get(record_type)
        if model is None:
            continue
        label = str(model._meta.verbose_name).capitalize()
        for record in model.objects.filter(pk__in=pks, library_id=practice.library_id).order_by("-pk"):
            found.append(LinkedRecord(record_type, label, record.title_text, record.pk))
    return found


def try_this(*, library: Library, explained: Any) -> list[Practice]:
    """For a red or yellow library: published practices of libraries like it (same kind, same province,
    its own kabupaten first) that raised a KPI part it has not fully met."""
    colour = getattr(explained, "colour", None)
    if colour not in (Colour.RED, Colour.YELLOW):
        return []
    weak = [
        str(part.get("record_type"))
        for part in getattr(explained, "parts", None) or []
        if float(part.get("points", 0)) < float(part.get("weight", 0)) and part.get("record_type")
    ]
    if not weak:
        return []
    raised = Q()
    for code in dict.fromkeys(weak):
        raised |= Q(components__contains=f",{code},")
    nearby = Case(
        When(library__regency_id=library.regency_id, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return list(
        Practice.objects.filter(
            raised,
            status=PracticeStatus.PUBLISHED,
            library__kind=library.kind,
            library__province_id=library.province_id,
        )
        .exclude(library_id=library.pk)
        .select_related("library", "library__region")
        .annotate(nearby=nearby)
        .order_by("nearby", "-published_at", "-pk")[:SUGGESTION_LIMIT]
    )
