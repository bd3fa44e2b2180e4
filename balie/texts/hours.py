"""Texts of the opening hours and leave screen."""

TEXTS: dict[str, dict[str, str]] = {}
