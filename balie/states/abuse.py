"""What the wizard's state needs from the abuse protection: who asks, and the puzzle script."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from balie.db_types import utcnow
from balie.services.abuse import public as abuse
from balie.services.abuse.gate import Requester
from balie.services.client_address import from_headers
from balie.settings import get_settings

# Dynamic import: the module is loaded only on the review step (assets/pow.js).
SOLUTION_SCRIPT = "import('/pow.js').then((m) => m.solution()).catch(() => '')"


def requester_of(state: rx.State) -> Requester:
    """The citizen's address: the websocket peer, or what the trusted proxies say."""
    router = state.router
    headers = dict(getattr(router.headers, "raw_headers", {}) or {})
    peer = router.session.client_ip or ""
    return Requester(from_headers(peer, headers, get_settings().trusted_proxy_networks()))


def challenge_script() -> list[Any]:
    """Start solving a fresh challenge in the browser (nothing when proof-of-work is off)."""
    settings = get_settings()
    if not settings.proof_of_work:
        return []
    issued = json.dumps(abuse.issue_challenge(settings, utcnow()).as_dict())
    return [rx.call_script(f"import('/pow.js').then((m) => m.start({issued})).then(() => null)")]
