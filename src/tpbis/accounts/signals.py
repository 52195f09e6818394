"""Signals of accounts, for apps above (or beside) it that want to react without accounts importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction that grants an invitation's role: invitation=Invitation, user=User.
invitation_accepted = Signal()
