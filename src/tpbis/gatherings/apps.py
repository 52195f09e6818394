from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class GatheringsConfig(AppConfig):
    name = "tpbis.gatherings"
    label = "gatherings"
    verbose_name = gettext_lazy("Gathering")

    def ready(self) -> None:
        from tpbis.gatherings.sections import followups_section
        from tpbis.worklists.registry import worklist_section_register

        # The facilitator's work list lives below; it learns of the follow-ups they own through this hook.
        worklist_section_register("gathering-followups", followups_section)
