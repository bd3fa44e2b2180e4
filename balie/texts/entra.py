"""Texts of Microsoft Entra ID sign-in."""

TEXTS: dict[str, dict[str, str]] = {}
