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
from django.utils.translation import gettext_lazy, ngettext

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
        return Decimal(1 if facts.reported.get(spec.record_type) else 0)
    return Decimal(facts.latest.get(spec.field, 0))


def score(*, facts: Facts, scheme: SchemeSpec, as_of: dt.date) -> Result:
    parts = []
    for spec in scheme.components:
        achieved = achieved_for(spec, facts)
        parts.append(
            Part(
                component_id=spec.id,
                label=spec.label,
                record_type=spec.record_type,
                measure=spec.measure,
                achieved=achieved,
                target=spec.target_on(as_of),
                points=spec.points_for(achieved, as_of),
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


def advice(*, result: Result, scheme: SchemeSpec, as_of: dt.date) -> list[str]:
    """Plain-Indonesian ways to reach the next colour, cheapest first: "2 kegiatan advokasi lagi ...".

    Each suggestion uses one component alone; a library can of course combine them.
    """
    if result.colour == Colour.GREEN:
        return []
    current = result.score or Decimal(0)
    next_colour = NEXT_COLOUR[result.colour]
    threshold = scheme.green_above if next_colour == Colour.GREEN else scheme.yellow_above
    options: list[tuple[Decimal, str]] = []
    for spec, part in zip(scheme.components, result.parts, strict=True):
        needed = _needed(spec, part, threshold - current, as_of)
        if needed is not None:
            options.append((needed, _advice_text(spec, needed, next_colour)))
    options.sort(key=lambda option: option[0])
    if options:
        return [text for _, text in options[:3]]
    return [_combined_advice(scheme, result, threshold - current, next_colour)]


def _combined_advice(scheme: SchemeSpec, result: Result, gap: Decimal, colour: str) -> str:
    """No single component suffices: say how many points are missing and where they are still open."""
    open_points = sorted(
        ((spec.weight - part.points, spec.label) for spec, part in zip(scheme.components, result.parts, strict=True)),
        reverse=True,
    )
    listed = "; ".join(f"{label} {_shown(points)}" for points, label in open_points if points > 0)
    return _("Perlu lebih dari %(gap)s poin lagi untuk mencapai %(colour)s. Poin yang masih terbuka: %(list)s") % {
        "gap": _shown(gap),
        "colour": COLOUR_WORD[colour],
        "list": listed,
    }


def _needed(spec: ComponentSpec, part: Part, gap: Decimal, as_of: dt.date) -> Decimal | None:
    """The least extra achievement on this component that lifts the score above the threshold."""
    if spec.measure == Measure.REPORTED:
        return Decimal(1) if part.achieved == 0 and spec.weight > gap else None
    if spec.measure == Measure.LATEST:
        return None  # a capacity figure is not "more of something"; shown in the breakdown instead
    limit = spec.cap if spec.cap is not None else spec.target_on(as_of)
    extra = 1
    while part.achieved + extra <= math.ceil(limit):
        gained = spec.points_for(part.achieved + extra, as_of) - part.points
        if gained > gap:
            return Decimal(extra)
        extra += 1
    return None


def _advice_text(spec: ComponentSpec, needed: Decimal, colour: str) -> str:
    word = str(COLOUR_WORD[colour])
    if spec.measure == Measure.REPORTED:
        return _("Laporkan %(what)s sekali untuk mencapai %(colour)s") % {
            "what": spec.label.lower(),
            "colour": word,
        }
    count = int(needed)
    values = {"count": count, "colour": word, "what": spec.label.lower()}
    if spec.record_type == "pelibatan":
        return (
            ngettext(
                "%(count)s kegiatan pelibatan masyarakat lagi untuk mencapai %(colour)s",
                "%(count)s kegiatan pelibatan masyarakat lagi untuk mencapai %(colour)s",
                count,
            )
            % values
        )
    if spec.record_type == "advokasi":
        return (
            ngettext(
                "%(count)s kegiatan advokasi lagi untuk mencapai %(colour)s",
                "%(count)s kegiatan advokasi lagi untuk mencapai %(colour)s",
                count,
            )
            % values
        )
    if spec.record_type == "publikasi":
        return (
            ngettext(
                "%(count)s publikasi lagi untuk mencapai %(colour)s",
                "%(count)s publikasi lagi untuk mencapai %(colour)s",
                count,
            )
            % values
        )
    return (
        ngettext(
            "%(count)s laporan %(what)s lagi untuk mencapai %(colour)s",
            "%(count)s laporan %(what)s lagi untuk mencapai %(colour)s",
            count,
        )
        % values
    )
