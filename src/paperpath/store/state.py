"""Small JSON bookkeeping records of the library (`sync_state`), by key: where a sync
stopped, which embedder was chosen, which canon was seeded."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from paperpath.store.schema import sync_state


def load_state(conn: Connection, key: str) -> dict[str, Any]:
    row = conn.execute(select(sync_state.c.state).where(sync_state.c.key == key)).first()
    return dict(row[0]) if row and isinstance(row[0], dict) else {}


def save_state(conn: Connection, key: str, state: dict[str, Any]) -> None:
    now = datetime.now()
    done = conn.execute(update(sync_state).where(sync_state.c.key == key)
                        .values(state=state, updated_at=now))
    if not done.rowcount:
        conn.execute(insert(sync_state).values(key=key, state=state, updated_at=now))
