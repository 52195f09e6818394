from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class WorklistsConfig(AppConfig):
    name = "tpbis.worklists"
    label = "worklists"
    verbose_name = gettext_lazy("Daftar kerja")

    def ready(self) -> None:
        from tpbis.accounts.context_processors import NAV_COUNT_CAP, nav_count_register
        from tpbis.worklists.selectors import verification_waiting_count

        # The menu lives in accounts, below the records; it learns of the waiting count through this hook.
        nav_count_register(
            "reports:queue",
            lambda request: verification_waiting_count(
                scope=request.scope,  # type: ignore[attr-defined]
                user_id=int(request.user.pk or 0),
                limit=NAV_COUNT_CAP,
            ),
        )
