"""Sections other apps add to the facilitator's work list (follow-ups of a gathering, ...).

An app registers a provider from its AppConfig.ready(); the work list asks each provider for a section
when it is shown. A provider returns None when it has nothing for this person.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest

from tpbis.core.templatetags.core_tags import num


@dataclass(frozen=True)
class SectionItem:
    label: str
    url: str = ""
    note: str = ""  # one line under the label: key figures, the library, how old it is
    action_url: str = ""  # a button beside the item ("Undang")
    action_label: str = ""


@dataclass(frozen=True)
class Section:
    """One block of the work list: a count, the first items and a link to the full list."""

    key: str  # an HTML id and a test handle ("verify", "silent", ...)
    title: str
    count: int
    items: list[SectionItem] = field(default_factory=list)
    more_url: str = ""
    more_label: str = ""
    empty_text: str = ""
    lead: str = ""  # an optional sentence under the title
    # The count stopped there (a national officer's 3 million waiting records are not counted on each visit).
    count_cap: int | None = None

    @property
    def count_text(self) -> str:
        """The count as people read it: "1.234", or "999+" when counting stopped at the cap."""
        if self.count_cap is not None and self.count >= self.count_cap:
            return f"{num(self.count_cap - 1)}+"
        return str(num(self.count))


SectionProvider = Callable[[HttpRequest], Section | None]
_PROVIDERS: list[tuple[str, SectionProvider]] = []


def worklist_section_register(key: str, provider: SectionProvider) -> None:
    """Add a section to the facilitator's work list, shown after the built-in ones (once per key)."""
    _PROVIDERS[:] = [(k, p) for k, p in _PROVIDERS if k != key]
    _PROVIDERS.append((key, provider))


def worklist_extra_sections(request: HttpRequest) -> list[Section]:
    return [section for _, provider in _PROVIDERS if (section := provider(request)) is not None]
