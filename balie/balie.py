"""The Reflex app: pages, HTTP routes, the background worker and start-up checks."""

import reflex as rx

from balie import failover, state_limit
from balie.api import api
from balie.components.overlay import connection_overlay
from balie.gc_tuning import tune_gc
from balie.http_guard import HttpGuard
from balie.observability import configure_logging
from balie.pages import register_all
from balie.services import tenancy
from balie.services.insight.metrics import add_collector
from balie.settings import get_settings
from balie.states.org_settings import check_stored_secrets
from balie.states.staff_guard import StaffSessionGuard
from balie.states.tenant import TenantScope
from balie.worker import background_worker, retention_worker

get_settings().check_production()
tune_gc()  # before Reflex forks the workers: they inherit the thresholds
check_stored_secrets()
configure_logging(get_settings().log_format)
failover.install()
register_all()


class BalieApp(rx.App):
    """The Reflex app with HttpGuard outermost, so Reflex's own CORS answers pass it too."""

    def _setup_state(self) -> None:
        """Reflex's state set-up, with at most BALIE_MAX_SESSIONS_PER_WORKER states in memory."""
        super()._setup_state()
        if self._state_manager is not None:
            settings = get_settings()
            self._state_manager = state_limit.bounded(
                self._state_manager, settings.max_sessions_per_worker, settings.redis_state_leases
            )

    def __call__(self) -> HttpGuard:
        """The ASGI app `reflex run` serves, wrapped in HttpGuard."""
        asgi = super().__call__()
        if self.sio is not None:
            # Each organisation's pages open the websocket from their own host (the host table
            # may grow while the app runs): the origin is checked against it per handshake.
            self.sio.eio.cors_allowed_origins = tenancy.origin_allowed
        return HttpGuard(asgi)


# The current organisation's icon (one organisation per deployment for now); .ico for
# browsers and tools that ask for /favicon.ico without reading the page.
FAVICONS = [
    rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
    rx.el.link(rel="icon", href="/favicon.ico", sizes="32x32"),
]

app = BalieApp(
    api_transformer=api,
    html_lang="nl",
    stylesheets=["/balie.css"],
    head_components=FAVICONS,
)
app.app_wraps[(5, "Overlay")] = connection_overlay  # Reflex's, minus its hidden banner
# First of all middleware: stale staff data is reset before the hydrate can send it.
app.add_middleware(StaffSessionGuard(), index=0)
# Before that: every session opened while handling an event is scoped to the host's city.
app.add_middleware(TenantScope(), index=0)
app.register_lifespan_task(background_worker)
app.register_lifespan_task(retention_worker)


class _WebsocketCollector:
    """Open websocket (socket.io) connections to this process, counted at scrape time."""

    def collect(self):
        """One gauge; 0 before the event namespace exists."""
        from prometheus_client.core import GaugeMetricFamily

        namespace = getattr(app, "event_namespace", None)
        count = len(namespace.sid_to_token) if namespace is not None else 0
        yield GaugeMetricFamily(
            "balie_websocket_connections", "Open websocket connections to this process.", count
        )


add_collector(_WebsocketCollector())
