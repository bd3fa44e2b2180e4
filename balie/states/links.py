"""The personal link in an e-mail (``?ref=…&token=…``), read from the page's address."""

from __future__ import annotations

from typing import Any


def link_from_address(router: Any) -> tuple[str, str]:
    """Reference (upper case, at most 16) and token (at most 256) from the query; "" if absent."""
    params = router.url.query_parameters
    reference, token = params.get("ref", ""), params.get("token", "")
    return (
        reference.strip().upper()[:16] if isinstance(reference, str) else "",
        token.strip()[:256] if isinstance(token, str) else "",
    )
