"""The gathering report as JSON and back: frozen at the start of a gathering, shown as it was presented.

The report's dataclasses are written field by field (numbers stay numbers, dates become ISO text) and
read back into the same dataclasses by their type hints, so the after-event page renders exactly what
the live report would have rendered that day.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from decimal import Decimal
from typing import Any

from tpbis.reportcards.selectors import GatheringReport

FORMAT = 1


def to_json(value: Any) -> Any:
    """A JSON-safe copy of a report value: dataclasses as objects, Decimal as a number."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"cannot freeze {type(value).__name__}")


def from_json(kind: Any, value: Any) -> Any:
    """The value of type `kind` that to_json(value) was made from."""
    if value is None:
        return None
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        real = [a for a in args if a is not type(None)]
        return from_json(real[0], value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        names = {f.name for f in dataclasses.fields(kind) if f.init}
        return kind(**{name: from_json(hints[name], value[name]) for name in names if name in value})
    if origin is dict:
        key_kind, item_kind = args
        return {from_json(key_kind, key): from_json(item_kind, item) for key, item in value.items()}
    if origin is list:
        return [from_json(args[0], item) for item in value]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_json(args[0], item) for item in value)
        return tuple(from_json(a, item) for a, item in zip(args, value, strict=True))
    if kind is Decimal:
        return Decimal(str(value))
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if kind is int:
        return int(value)
    return value


def report_freeze(report: GatheringReport, *, extra: dict[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "report": to_json(report), **extra}


def report_thaw(frozen: dict[str, Any]) -> GatheringReport:
    report = from_json(GatheringReport, frozen["report"])
    assert isinstance(report, GatheringReport)
    return report
