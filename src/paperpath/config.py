"""Where the library lives: `--db URL` > $PAPERPATH_DB > a SQLite file in the user data dir."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir

ENV_DB = "PAPERPATH_DB"


def default_db_path() -> Path:
    return Path(user_data_dir("paperpath", appauthor=False)) / "library.db"


def resolve_db_url(db: str | os.PathLike[str] | None = None) -> str:
    """A SQLAlchemy URL from an explicit value, the environment, or the default file.

    A bare filesystem path is taken as a SQLite file.
    """
    value = os.fspath(db) if db is not None else os.environ.get(ENV_DB) or None
    if value is None:
        return f"sqlite:///{default_db_path()}"
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"
