"""Reflex configuration; every value comes from balie.settings (environment variables)."""

import reflex as rx

from balie.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="balie",
    db_url=settings.database_url,
    redis_url=settings.redis_url,
    # Idle visitors' state is released after this long, in Redis and in the app process
    # (Reflex's memory and disk state managers read the same value): memory stays bounded.
    redis_token_expiration=settings.session_expiry_seconds,
    # Without Redis: state in memory, at most BALIE_MAX_SESSIONS_PER_WORKER (balie.state_limit).
    **settings.reflex_state_options(),
    telemetry_enabled=False,
    # state_auto_setters is False by default in 0.10 (and deprecated); tests assert it stays so.
    cors_allowed_origins=settings.allowed_origins(),
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[
        rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="blue", radius="medium")),
    ],
)
