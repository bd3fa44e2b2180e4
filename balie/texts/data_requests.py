"""Texts of the administrators' screen for citizens' data requests (export, erase)."""

TEXTS: dict[str, dict[str, str]] = {}
