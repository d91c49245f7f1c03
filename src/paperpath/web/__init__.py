"""The web app: the whole weekly loop in a browser (`paperpath serve`).

Server-rendered pages (FastAPI + Jinja2) that work without JavaScript, a little vanilla JS for
keyboard shortcuts, live job progress and the map, and a JSON API under ``/api`` mirroring the
Python API. Every asset is served from the package: it works offline.
"""

from __future__ import annotations

from paperpath.web.app import create_app

__all__ = ["create_app"]
