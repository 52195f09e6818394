"""Signals other apps listen to (the KPI keeps scores fresh) without the reports app knowing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `library_ids` (a set of ints) after records of those libraries were created, changed,
# verified, returned or withdrawn, inside the same transaction.
records_changed = Signal()
