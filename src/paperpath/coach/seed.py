"""Seeding the library with the built-in canon, so a first start is useful offline."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from paperpath.store.db import write_tx
from paperpath.store.state import load_state, save_state

if TYPE_CHECKING:
    from paperpath.library import Library

STATE_KEY = "coach:canon"


def canon_signature() -> str:
    from paperpath.coach.canon import canon

    text = "\n".join(f"{p.id} {p.key()} {p.title}" for p in canon())
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def seed_canon(lib: Library) -> int:
    """Add the canon papers the library lacks; returns how many were added. Cheap when the
    same canon was seeded before. Papers already present (e.g. ingested from arXiv) keep
    their real text: a canon record only fills gaps."""
    from paperpath.coach.canon import canon

    signature = canon_signature()
    with lib.engine.connect() as conn:
        if load_state(conn, STATE_KEY).get("signature") == signature:
            return 0
    result = lib.add_records([p.record() for p in canon()])
    with write_tx(lib.engine) as conn:
        save_state(conn, STATE_KEY, {"signature": signature, "papers": len(result.pks)})
    return result.inserted
