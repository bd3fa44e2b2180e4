"""Texts of booking for a citizen and finding an appointment (contact centre)."""

TEXTS: dict[str, dict[str, str]] = {}
