"""Who a session cookie or an API token belongs to, remembered for a few seconds.

Players send engagement events every few seconds; asking the database about the same token for each
batch would cost more than storing the batch. A logout or an expired session takes effect on this
node at once (`forget`) and on the others within `ttl_s`; everything else authenticates per request.
"""

import time
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from kilas.accounts.service import get_user_for_api_token, get_user_for_session

TokenKind = Literal["session", "token"]


class IdentityCache:
    def __init__(self, ttl_s: float = 5.0, max_entries: int = 100_000) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._entries: dict[tuple[TokenKind, str], tuple[float, int | None]] = {}

    async def user_id(
        self, sessionmaker: async_sessionmaker[AsyncSession], kind: TokenKind, token: str
    ) -> int | None:
        """The account's id, or None when the token is unknown or expired."""
        now = time.monotonic()
        entry = self._entries.get((kind, token))
        if entry is not None and entry[0] > now:
            return entry[1]
        async with sessionmaker() as db:
            if kind == "session":
                user = await get_user_for_session(db=db, token=token)
            else:
                user = await get_user_for_api_token(db=db, token=token)
            await db.commit()  # an API token's last use is kept
        user_id = user.id if user is not None else None
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[(kind, token)] = (now + self.ttl_s, user_id)
        return user_id

    def forget(self, token: str) -> None:
        self._entries.pop(("session", token), None)
        self._entries.pop(("token", token), None)
