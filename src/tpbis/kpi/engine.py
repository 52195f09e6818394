"""Pure scoring: from a library's aggregated facts and a scheme to points, score, colour and advice.

No database access here, so the same code scores stored schemes, draft schemes being previewed, and
property tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from tpbis.kpi.models import Colour, Measure, Scheme, TargetGrowth

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class ComponentSpec:
    id: int | None
    label: str
    record_type: str
    measure: str
    field: str
    target: Decimal
    growth: str
    weight: Decimal
    cap: Decimal | None
    step: Decimal

    def target_on(self, as_of: dt.date) -> Decimal:
        if self.growth == TargetGrowth.MONTHLY:
            return self.target * as_of.month / 12
        return self.target

    def points_for(self, achieved: Decimal, as_of: dt.date) -> Decimal:
        target = self.target_on(as_of)
        counted = min(achieved, self.cap if self.cap is not None else target)
        # Never more than the weight: the weights of a scheme add up to 100.
        raw = min(self.weight, self.weight * counted / target) if target > 0 else Decimal(0)
        raw = max(raw, Decimal(0))
        if self.step > 0:
            raw = (raw / self.step).to_integral_value(rounding=ROUND_FLOOR) * self.step
        return raw


@dataclass(frozen=True)
class SchemeSpec:
    id: int | None
    name: str
    effective_from: dt.date
    kinds: tuple[str, ...]
    green_above: Decimal
    yellow_above: Decimal
    components: tuple[ComponentSpec, ...]
    effective_until: dt.date | None = None

    @classmethod
    def from_model(cls, scheme: Scheme, components: list[Any] | None = None) -> SchemeSpec:
        rows = components if components is not None else list(scheme.components.all())
        return cls(
            id=scheme.pk,
            name=scheme.name,
            effective_from=scheme.effective_from,
            effective_until=scheme.effective_until,
            kinds=tuple(scheme.library_kinds or ()),
            green_above=Decimal(scheme.green_above),
            yellow_above=Decimal(scheme.yellow_above),
            components=tuple(
                ComponentSpec(
                    id=c.pk,
                    label=c.label,
                    record_type=c.record_type,
                    measure=c.measure,
                    field=c.field,
                    target=Decimal(c.target),
                    growth=c.target_growth,
                    weight=Decimal(c.weight),
                    cap=Decimal(c.cap) if c.cap is not None else None,
                    step=Decimal(c.rounding_step),
                )
                for c in sorted(rows, key=lambda c: (c.position, c.pk or 0))
            ),
        )

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds

    def in_effect_on(self, date: dt.date) -> bool:
        return self.effective_from <= date and (self.effective_until is None or date <= self.effective_until)

    def colour_for(self, score: Decimal | None) -> str:
        if score is None:
            return Colour.NONE
        if score > self.green_above:
            return Colour.GREEN
        if score > self.yellow_above:
            return Colour.YELLOW
        return Colour.RED

    @property
    def total_weight(self) -> Decimal:
        return sum((c.weight for c in self.components), Decimal(0))


@dataclass
class Facts:
    """What a library reported in the year up to a date, as the database aggregated it."""

    counts: dict[str, int] = field(default_factory=dict)  # verified, dated records per record type
    reported: dict[str, bool] = field(default_factory=dict)  # verified monthly records per record type
    latest: dict[str, Decimal] = field(default_factory=dict)  # latest information-service values
    has_any: bool = False  # any submitted or verified record in the year: otherwise *Belum Dinilai*


@dataclass(frozen=True)
class Part:
    component_id: int | None
    label: str
    record_type: str
    measure: str
    achieved: Decimal
    target: Decimal
    points: Decimal
    weight: Decimal

    def as_json(self) -> dict[str, object]:
        return {
            "component": self.component_id,
            "label": self.label,
            "record_type": self.record_type,
            "measure": self.measure,
            "achieved": float(self.achieved),
            "target": float(self.target),
            "points": float(self.points),
            "weight": float(self.weight),
        }


def _shown(value: Decimal) -> str:
    """A number as the reader's language writes it ("27,5" in Indonesian)."""
    return number_format(value.normalize(), use_l10n=True)


def _num(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True)
class Result:
    scheme_id: int | None
    score: Decimal | None
    colour: str
    parts: tuple[Part, ...]

    def parts_json(self) -> list[dict[str, object]]:
        return [p.as_json() for p in self.parts]

    def signature(self) -> str:
        facts = (self.scheme_id, self.score, tuple((p.achieved, p.target, p.points) for p in self.parts))
        return hashlib.blake2b(repr(facts).encode(), digest_size=16).hexdigest()


def achieved_for(spec: ComponentSpec, facts: Facts) -> Decimal:
    if spec.measure == Measure.COUNT:
        return Decimal(facts.counts.get(spec.record_type, 0))
    if spec.measure == Measure.REPORTED:
        # The months reported, so the breakdown agrees with the report card's list of monthly reports;
        # the points still only ask whether there is at least one.
        return Decimal(max(facts.counts.get(spec.record_type, 0), 1) if facts.reported.get(spec.record_type) else 0)
    return Decimal(facts.latest.get(spec.field, 0))


def score(*, facts: Facts, scheme: SchemeSpec, as_of: dt.date) -> Result:
    parts = []
    for spec in scheme.components:
        achieved = achieved_for(spec, facts)
        counted = min(achieved, Decimal(1)) if spec.measure == Measure.REPORTED else achieved
        parts.append(
            Part(
                component_id=spec.id,
                label=spec.label,
                record_type=spec.record_type,
                measure=spec.measure,
                achieved=achieved,
                target=spec.target_on(as_of),
                points=spec.points_for(counted, as_of),
                weight=spec.weight,
            )
        )
    if not facts.has_any:
        return Result(scheme_id=scheme.id, score=None, colour=Colour.NONE, parts=tuple(parts))
    total = min(HUNDRED, sum((p.points for p in parts), Decimal(0))).quantize(CENT)
    return Result(scheme_id=scheme.id, score=total, colour=scheme.colour_for(total), parts=tuple(parts))


def facts_key(facts: Facts) -> tuple[object, ...]:
    """Equal keys give equal results under one scheme and date (many libraries share their facts)."""
    return (
        facts.has_any,
        tuple(sorted(facts.counts.items())),
        tuple(sorted(facts.reported.items())),
        tuple(sorted(facts.latest.items())),
    )


NEXT_COLOUR: dict[str, str] = {Colour.RED: Colour.YELLOW, Colour.YELLOW: Colour.GREEN, Colour.NONE: Colour.YELLOW}
COLOUR_WORD: dict[str, Any] = {Colour.YELLOW: gettext_lazy("kuning"), Colour.GREEN: gettext_lazy("hijau")}
SINGLE_PATHS_SHOWN = 3
# Names the default schemes give themselves and their parts (migrations), so the catalog translates them.
DEFAULT_NAMES = (
    gettext_noop("IKU TPBIS 2026"),
    gettext_noop("TPBIS 2026 (Januari–Juni)"),
    gettext_noop("Koleksi buku"),
    gettext_noop("Koleksi buku digital"),
    gettext_noop("Komputer"),
    gettext_noop("Bandwidth internet (Mbps)"),
)


def shown_label(label: str) -> str:
    """A component's or scheme's name in the reader's language: the default scheme's names are in the
    catalog, a name the national team typed is shown as typed."""
    return _(label) if label else label


def _grouped(value: Decimal) -> str:
    """A figure as the reader's language writes it, thousands grouped: "1.000", "17,5"."""
    value = value.normalize()
    if value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    return number_format(value, use_l10n=True, force_grouping=True)


def advice(*, result: Result, scheme: SchemeSpec, as_of: dt.date) -> list[str]:
    """Plain-Indonesian ways to reach the next colour, each a concrete thing to report.

    The cheapest path first (fewest records: one component alone, or several together, joined by "dan"),
    then up to two other single-component paths starting with "atau", since they are alternatives. A
    library not assessed yet first hears which one record starts its score.
    """
    if result.colour == Colour.GREEN:
        return []
    current = result.score or Decimal(0)
    colour = NEXT_COLOUR[result.colour]
    threshold = scheme.green_above if colour == Colour.GREEN else scheme.yellow_above
    gap = threshold - current
    word = str(COLOUR_WORD[colour])
    pairs = list(zip(scheme.components, result.parts, strict=True))
    singles: list[tuple[Decimal, int]] = []
    for position, (spec, part) in enumerate(pairs):
        needed = _needed(spec, part, gap, as_of)
        if needed is not None:
            singles.append((needed, position))
    singles.sort()
    plan = _plan(pairs, gap, as_of)
    if singles and (not plan or singles[0][0] <= sum(extra for _s, _p, extra in plan)):
        plan = [(*pairs[singles[0][1]], int(singles[0][0]))]
        singles = singles[1:]
    if not plan:
        return [_("Skema ini tidak memberi cukup poin untuk mencapai %(colour)s.") % {"colour": word}]
    tips = []
    start, start_part, _count = plan[0]
    if result.colour == Colour.NONE and start.measure != Measure.LATEST:
        tips.append(
            _("Mulailah dengan %(action)s: satu laporan saja sudah membuat perpustakaan Anda dinilai.")
            % {"action": _action_text(start, start_part, 1)}
        )
    steps = _joined([_action_text(spec, part, count) for spec, part, count in plan])
    tips.append(_("Laporkan %(action)s untuk mencapai %(colour)s") % {"action": steps, "colour": word})
    for needed, position in singles[: SINGLE_PATHS_SHOWN - 1]:
        tips.append(_("atau %(action)s") % {"action": _action_text(*pairs[position], int(needed))})
    return tips


def _joined(items: list[str]) -> str:
    """ "a, b dan c" in the reader's language."""
    if len(items) == 1:
        return items[0]
    return _("%(list)s dan %(last)s") % {"list": ", ".join(items[:-1]), "last": items[-1]}


def _needed(spec: ComponentSpec, part: Part, gap: Decimal, as_of: dt.date) -> Decimal | None:
    """The least extra achievement on this component that lifts the score above the threshold."""
    if spec.measure == Measure.REPORTED:
        return Decimal(1) if part.achieved == 0 and spec.weight - part.points > gap else None
    if spec.measure == Measure.LATEST:
        return None  # a capacity figure is not "more of something": only part of a combined plan
    for extra, gained in _gains(spec, part, as_of):
        if gained > gap:
            return Decimal(extra)
    return None


def _gains(spec: ComponentSpec, part: Part, as_of: dt.date) -> list[tuple[int, Decimal]]:
    """Each number of extra records on a component that counts records, with the points it would add."""
    if spec.measure == Measure.REPORTED:
        return [(1, spec.weight - part.points)] if part.achieved == 0 else []
    if spec.measure == Measure.LATEST:
        return []
    limit = math.ceil(spec.cap if spec.cap is not None else spec.target_on(as_of))
    return [
        (extra, spec.points_for(part.achieved + extra, as_of) - part.points)
        for extra in range(1, max(limit - int(part.achieved), 0) + 1)
    ]


def _plan(
    pairs: list[tuple[ComponentSpec, Part]], gap: Decimal, as_of: dt.date
) -> list[tuple[ComponentSpec, Part, int]]:
    """The fewest extra records, over all components together, that earn more than `gap` points; when
    records alone cannot, the capacity figures (information service) to raise as well.

    A small knapsack: for each total number of records, the most points and how they are split.
    """
    best: dict[int, tuple[Decimal, tuple[int, ...]]] = {0: (Decimal(0), ())}
    for spec, part in pairs:
        choices = [(0, Decimal(0)), *_gains(spec, part, as_of)]
        grown: dict[int, tuple[Decimal, tuple[int, ...]]] = {}
        for records, (points, split) in best.items():
            for extra, gained in choices:
                total = records + extra
                if total not in grown or points + gained > grown[total][0]:
                    grown[total] = (points + gained, (*split, extra))
        best = grown
    reachable = [records for records, (points, _split) in best.items() if points > gap]
    if reachable:
        split = best[min(reachable)][1]
        return [(spec, part, extra) for (spec, part), extra in zip(pairs, split, strict=True) if extra]
    # Records alone are not enough: every record that still earns points, then capacity figures.
    points, split = best[max(best)]
    plan = [(spec, part, extra) for (spec, part), extra in zip(pairs, split, strict=True) if extra]
    figures = sorted(
        ((spec.weight - part.points, position) for position, (spec, part) in enumerate(pairs)),
        key=lambda item: (-item[0], item[1]),
    )
    for open_points, position in figures:
        spec, part = pairs[position]
        if points > gap:
            break
        if spec.measure != Measure.LATEST or open_points <= 0:
            continue
        value = _least_value(spec, part, gap - points, as_of)
        plan.append((spec, part, value))
        points += spec.points_for(Decimal(value), as_of) - part.points
    return plan if points > gap else []


def _least_value(spec: ComponentSpec, part: Part, gap: Decimal, as_of: dt.date) -> int:
    """The smallest whole figure that earns more than `gap` extra points, or the one for all its points."""
    full = math.ceil(spec.target_on(as_of))
    for value in range(int(part.achieved) + 1, full + 1):
        if spec.points_for(Decimal(value), as_of) - part.points > gap:
            return value
    return full


def _action_text(spec: ComponentSpec, part: Part, count: int) -> str:
    """What to report, as a noun phrase: "2 kegiatan advokasi lagi", "pengunjung 1 bulan", "Komputer minimal 3"."""
    if spec.measure == Measure.LATEST:
        what = shown_label(spec.label)
        return _("%(what)s minimal %(value)s") % {
            "what": what[:1].lower() + what[1:],
            "value": _grouped(Decimal(count)),
        }
    more = part.achieved > 0
    values = {"count": count, "what": shown_label(spec.label).lower()}
    if spec.record_type == "pelibatan":
        if more:
            return (
                ngettext(
                    "%(count)s kegiatan pelibatan masyarakat lagi",
                    "%(count)s kegiatan pelibatan masyarakat lagi",
                    count,
                )
                % values
            )
        return (
            ngettext("%(count)s kegiatan pelibatan masyarakat", "%(count)s kegiatan pelibatan masyarakat", count)
            % values
        )
    if spec.record_type == "advokasi":
        if more:
            return ngettext("%(count)s kegiatan advokasi lagi", "%(count)s kegiatan advokasi lagi", count) % values
        return ngettext("%(count)s kegiatan advokasi", "%(count)s kegiatan advokasi", count) % values
    if spec.record_type == "publikasi":
        if more:
            return ngettext("%(count)s publikasi lagi", "%(count)s publikasi lagi", count) % values
        return ngettext("%(count)s publikasi", "%(count)s publikasi", count) % values
    if spec.record_type == "pengunjung":
        if more:
            return ngettext("pengunjung %(count)s bulan lagi", "pengunjung %(count)s bulan lagi", count) % values
        return ngettext("pengunjung %(count)s bulan", "pengunjung %(count)s bulan", count) % values
    if more:
        return ngettext("%(count)s laporan %(what)s lagi", "%(count)s laporan %(what)s lagi", count) % values
    return ngettext("%(count)s laporan %(what)s", "%(count)s laporan %(what)s", count) % values


def progress_text(part: dict[str, Any]) -> str:
    """A component's achievement in the rule's own unit: "3 dari 7 kegiatan", "12 bulan dilaporkan"."""
    achieved, target = Decimal(str(part["achieved"])), Decimal(str(part["target"]))
    if part["measure"] == Measure.REPORTED:
        if achieved == 0:
            return _("Belum ada bulan yang dilaporkan; 1 bulan sudah cukup")
        count = int(achieved)
        return ngettext(
            "%(count)s bulan dilaporkan; 1 bulan sudah cukup", "%(count)s bulan dilaporkan; 1 bulan sudah cukup", count
        ) % {"count": _grouped(achieved)}
    values = {"achieved": _grouped(achieved), "target": _grouped(target)}
    if part["measure"] == Measure.LATEST:
        return _("%(achieved)s dari %(target)s") % values
    if part["record_type"] in {"pelibatan", "advokasi"}:
        return _("%(achieved)s dari %(target)s kegiatan") % values
    if part["record_type"] == "publikasi":
        return _("%(achieved)s dari %(target)s publikasi") % values
    return _("%(achieved)s dari %(target)s laporan") % values
