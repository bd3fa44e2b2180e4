"""A page whose app instance died keeps its session on the instance it reconnects to.

Reflex's Redis token manager treats a token whose socket record names another instance as a
second browser tab and hands out a new token, i.e. an empty state. When that instance died,
its record stays in Redis for an hour (``redis_token_expiration``), so every citizen it served
would start again from scratch. Before Reflex links a reconnecting token, we ask whether the
owner still listens on its lost-and-found channel: PUBLISH answers how many subscribers got
the (empty) message, pattern subscriptions included. None means the owner is gone; its
record is removed and the page keeps its token, so its state in Redis.
"""

from __future__ import annotations

import logging
import pickle
from typing import Any

from reflex.state import StateUpdate
from reflex.utils.token_manager import LostAndFoundRecord, RedisTokenManager

log = logging.getLogger(__name__)
_link_token_to_sid = RedisTokenManager.link_token_to_sid


async def _owner_listens(manager: RedisTokenManager, instance_id: str, token: str) -> bool:
    """Whether the instance that owns ``token``'s socket record still runs."""
    empty = LostAndFoundRecord(token=token, update=StateUpdate())
    channel = f"channel:{manager._get_lost_and_found_key(instance_id)}"
    return await manager.redis.publish(channel, pickle.dumps(empty)) > 0


async def link_token_to_sid(self: RedisTokenManager, token: str, sid: str) -> Any:
    """Reflex's link, after dropping the socket record of a dead instance."""
    local = self.token_to_socket.get(token)
    if local is None or local.sid != sid:
        try:
            record = await self._fetch_socket_record(token)
            if (
                record is not None
                and record.instance_id != self.instance_id
                and not await _owner_listens(self, record.instance_id, token)
            ):
                log.info("session taken over from a stopped instance")
                await self.redis.delete(self._get_redis_key(token))
        except Exception:
            log.warning("could not check the owner of a reconnecting session", exc_info=True)
    return await _link_token_to_sid(self, token, sid)


def install() -> None:
    """Use the failover-aware link in this process."""
    RedisTokenManager.link_token_to_sid = link_token_to_sid
