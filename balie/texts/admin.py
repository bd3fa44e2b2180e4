"""Texts of opening hours, leave, catalogue, staff and audit screens."""

TEXTS: dict[str, dict[str, str]] = {}
