"""Reflex configuration; every value comes from balie.settings (environment variables)."""

import reflex as rx

from balie.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="balie",
    db_url=settings.database_url,
    redis_url=settings.redis_url,
    telemetry_enabled=False,
    # state_auto_setters is False by default in 0.10 (and deprecated); tests assert it stays so.
    cors_allowed_origins=settings.allowed_origins(),
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="blue", radius="medium")),
    ],
)
