"""Receivers of other apps' signals that become notifications."""

from __future__ import annotations
