"""Reading a user's input file: one wording for the ways it can fail."""

from __future__ import annotations

from pathlib import Path


def unreadable(path: Path, exc: OSError) -> str:
    """One-line reason a file could not be read, naming it."""
    if isinstance(exc, FileNotFoundError):
        return f"{path}: no such file"
    if isinstance(exc, IsADirectoryError):
        return f"{path}: is a directory"
    return f"{path}: cannot read ({exc.strerror or exc})"
