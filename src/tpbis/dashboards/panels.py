"""Panels that apps above the dashboards add to a region dashboard, registered from their AppConfig.ready()
so the dashboards never import them (the profiles' completeness and the libraries' map, for instance)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from tpbis.dashboards.selectors import RegionFigures


@dataclass(frozen=True)
class Panel:
    """A template included below the dashboard's figures, with its own context; `styles` and `scripts`
    (static paths) are loaded in the page's head only when the panel is shown."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    styles: tuple[str, ...] = ()
    scripts: tuple[str, ...] = ()


PanelBuilder = Callable[[HttpRequest, "RegionFigures"], Panel | None]

_PANELS: dict[str, PanelBuilder] = {}


def panel_register(name: str, build: PanelBuilder) -> None:
    """Add a panel; `build` returns None where the panel has nothing to show (another level, another role)."""
    _PANELS[name] = build


def panels_build(*, request: HttpRequest, figures: RegionFigures) -> list[Panel]:
    panels = (build(request, figures) for build in _PANELS.values())
    return [panel for panel in panels if panel is not None]


def panel_assets(panels: list[Panel]) -> tuple[list[str], list[str]]:
    """The styles and scripts of the panels shown, each once, in order."""
    styles = list(dict.fromkeys(path for panel in panels for path in panel.styles))
    scripts = list(dict.fromkeys(path for panel in panels for path in panel.scripts))
    return styles, scripts
