"""Texts of the citizen survey and the privacy notice."""

TEXTS: dict[str, dict[str, str]] = {}
