"""Texts of today, week and team views, booking for a citizen."""

TEXTS: dict[str, dict[str, str]] = {}
