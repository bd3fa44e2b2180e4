"""Texts of the managers' statistics dashboard."""

TEXTS: dict[str, dict[str, str]] = {}
