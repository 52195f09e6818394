"""Reading surveys in scope and their results, counted in the database (one GROUP BY per table).

A group (an activity, a library, a region) with fewer than MIN_GROUP answers is shown as "too few
answers" to everyone except the people of the library that ran it: with three answers, the sex, age and
disability of a participant would be easy to guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from tpbis.accounts.scope import Scope
from tpbis.dashboards.selectors import RegionRef
from tpbis.regions.models import Level, Region
from tpbis.reports.models import CommunityEngagement
from tpbis.reports.selectors import record_get_for_user
from tpbis.surveys.models import GAINS, AgeGroup, Answer, ComeAgain, Disability, Sex, Survey

MIN_GROUP = 5

# The single-choice questions, each with its choices, in the order the results show them.
QUESTIONS: tuple[tuple[str, Promise, Any], ...] = (
    ("come_again", gettext_lazy("Ingin datang lagi"), ComeAgain),
    ("sex", gettext_lazy("Jenis kelamin"), Sex),
    ("age_group", gettext_lazy("Kelompok umur"), AgeGroup),
    ("disability", gettext_lazy("Penyandang disabilitas"), Disability),
)


def engagement_get_for_user(*, scope: Scope, pk: int) -> CommunityEngagement:
    """The community activity if it lies in the user's scope; 404 otherwise."""
    record: CommunityEngagement = record_get_for_user(model=CommunityEngagement, scope=scope, pk=pk)
    return record


def survey_for_engagement(*, engagement_id: int) -> Survey | None:
    return Survey.objects.filter(engagement_id=engagement_id).first()


def survey_get_open(*, code: str) -> Survey:
    """The open survey with this code, for the public answer page; 404 for a closed or unknown one."""
    survey = (
        Survey.objects.filter(code=code[:24], is_open=True)
        .select_related("engagement", "library")
        .only("code", "is_open", "engagement__title", "engagement__date", "library__name")
        .first()
    )
    if survey is None:
        raise Http404
    return survey


def is_owning_library(*, scope: Scope, library_id: int) -> bool:
    """True for the people of the library itself (its managers), who see their small groups in full."""
    return library_id in scope.libraries


# ------------------------------------------------------------------------------------------ tallies


def option_key(field: str, index: int) -> str:
    return f"{field}_{index}"


def _counts() -> dict[str, Any]:
    counts: dict[str, Any] = {"n": Count("pk")}
    for name, _label in GAINS:
        counts[name] = Count("pk", filter=Q(**{name: True}))
    for field, _title, choices in QUESTIONS:
        for index, value in enumerate(choices.values):
            counts[option_key(field, index)] = Count("pk", filter=Q(**{field: value}))
    return counts


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    pct: float


@dataclass(frozen=True)
class Section:
    title: str
    rows: list[Row]


@dataclass(frozen=True)
class Tally:
    """The counts of one group of answers ("n = 23"), or only its size when it is suppressed."""

    label: str
    n: int
    counts: dict[str, int]
    suppressed: bool
    code: str = ""  # the group's library id or region code, for links and exports

    def pct(self, key: str) -> float:
        return round(100 * self.counts.get(key, 0) / self.n, 1) if self.n else 0.0

    @property
    def come_again_pct(self) -> float:
        return self.pct(option_key("come_again", 0))

    @property
    def gained_any_pct(self) -> float:
        return round(100 - self.pct("gained_none"), 1) if self.n else 0.0

    def sections(self) -> list[Section]:
        if self.suppressed or not self.n:
            return []
        gains = Section(
            str(gettext_lazy("Manfaat yang didapat (boleh lebih dari satu)")),
            [Row(str(label), self.counts[name], self.pct(name)) for name, label in GAINS],
        )
        singles = [
            Section(
                str(title),
                [
                    Row(str(label), self.counts[option_key(field, i)], self.pct(option_key(field, i)))
                    for i, label in enumerate(choices.labels)
                ],
            )
            for field, title, choices in QUESTIONS
        ]
        return [gains, *singles]


COUNT_KEYS = frozenset(_counts())


def _tally(row: dict[str, Any], *, label: str, full: bool, code: str = "") -> Tally:
    n = int(row.get("n") or 0)
    suppressed = n < MIN_GROUP and not full
    counts = {} if suppressed else {k: int(v or 0) for k, v in row.items() if k in COUNT_KEYS}
    return Tally(label=label, n=n, counts=counts, suppressed=suppressed, code=code)


def tally_for_survey(*, survey: Survey, scope: Scope) -> Tally:
    row = Answer.objects.filter(survey_id=survey.pk).aggregate(**_counts())
    full = is_owning_library(scope=scope, library_id=survey.library_id)
    return _tally(row, label=str(survey.engagement), full=full)


def tally_for_library(*, library_id: int, scope: Scope) -> Tally:
    row = Answer.objects.filter(survey__library_id=library_id).aggregate(**_counts())
    return _tally(row, label="", full=is_owning_library(scope=scope, library_id=library_id))


def region_answers(*, region: RegionRef) -> QuerySet[Answer]:
    """The answers to surveys of the region's libraries."""
    code = region.query_code
    if region.level == 0:
        return Answer.objects.all()
    if region.level == Level.PROVINCE:
        return Answer.objects.filter(survey__library__province_id=code)
    if region.level == Level.REGENCY:
        return Answer.objects.filter(survey__library__regency_id=code)
    return Answer.objects.filter(
        Q(survey__library__region_id=code) | Q(survey__library__region__code__startswith=code + ".")
    )


@dataclass(frozen=True)
class RegionResults:
    region: RegionRef
    total: Tally
    areas: list[Tally]  # per province (for the nation) or per kabupaten/kota (for a province)
    libraries: list[Tally]


def region_results(*, region: RegionRef, scope: Scope) -> RegionResults:
    """The region's answers in total, per child area and per library: three GROUP BY queries."""
    answers = region_answers(region=region)
    counts = _counts()
    total = _tally(answers.aggregate(**counts), label=region.name, full=False)
    areas: list[Tally] = []
    if region.level in (0, Level.PROVINCE):
        area = "survey__library__province_id" if region.level == 0 else "area"
        grouped = answers.annotate(area=Coalesce("survey__library__regency_id", "survey__library__province_id"))
        rows = list(grouped.values(area).annotate(**counts).order_by(area))
        names = dict(Region.objects.filter(code__in=[r[area] for r in rows]).values_list("code", "name"))
        areas = [_tally(r, label=names.get(r[area], r[area]), full=False, code=r[area]) for r in rows]
    rows = list(
        answers.values("survey__library_id", "survey__library__name")
        .annotate(**counts)
        .order_by("survey__library__name", "survey__library_id")
    )
    libraries = [
        _tally(
            r,
            label=r["survey__library__name"],
            full=is_owning_library(scope=scope, library_id=r["survey__library_id"]),
            code=str(r["survey__library_id"]),
        )
        for r in rows
    ]
    return RegionResults(region=region, total=total, areas=areas, libraries=libraries)


def answers_for_export(*, answers: QuerySet[Answer]) -> QuerySet[Answer]:
    """Anonymous answers with what they were about (activity, library, region), never who gave them."""
    return answers.select_related("survey__engagement", "survey__library").order_by("survey_id", "pk")
