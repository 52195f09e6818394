"""Signals other apps listen to without the libraries app knowing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with `region_codes` (a set of str: the regions partners moved from and to) after partners were
# registered in another region, inside the same transaction: region summaries follow their records.
libraries_moved = Signal()
