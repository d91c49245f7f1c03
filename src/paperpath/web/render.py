"""Rendering pages: the Jinja2 environment, the page helper every route uses, and the short
status messages a form redirect can show (by code, so a URL can't put words on the page)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from paperpath.library import Library

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")

# ?msg=<code> after a form's redirect (post/redirect/get: reloading never re-posts).
MESSAGES = {
    "profile": "Profile saved. Here is this week's plan.",
    "read": "Logged as read. Next: explain it in your own words below.",
    "started": "Marked as started.",
    "note": "Note saved.",
    "tags": "Tags saved.",
    "feedback": "Thanks — the coach will use that for your next picks.",
    "replanned": "A new plan for this week.",
    "feed-added": "Feed added. Sync it to pull its items.",
    "feed-removed": "Feed removed.",
    "job": "Started in the background; progress shows below and survives a reload.",
    "known": "Terms saved.",
    "explained": "Explanation scored — see what it covers and misses below.",
    "imported": "Imported.",
}


def paper_url(pid: str) -> str:
    return "/paper/" + quote(pid, safe="/:")


def with_query(path: str, **params: Any) -> str:
    clean = {k: v for k, v in params.items() if v not in (None, "", [])}
    return path + ("?" + urlencode(clean, doseq=True) if clean else "")


TEMPLATES.env.filters["paper_url"] = paper_url
TEMPLATES.env.globals["with_query"] = with_query


def lib_of(request: Request) -> Library:
    lib: Library = request.app.state.lib
    return lib


def due_reviews(lib: Library) -> int:
    from paperpath.coach.review import Reviewer

    try:
        return Reviewer(lib).due_count()
    except Exception:  # the nav badge must never break a page
        return 0


def page(request: Request, template: str, *, title: str, status_code: int = 200,
         **context: Any) -> HTMLResponse:
    """Render ``template`` inside the site layout (nav with the due-review count, the
    message of a redirect, the page title)."""
    lib = lib_of(request)
    msg = MESSAGES.get(request.query_params.get("msg", ""))
    return TEMPLATES.TemplateResponse(
        request, template,
        {"title": title, "message": msg, "due": due_reviews(lib),
         "path": request.url.path, **context},
        status_code=status_code)


def redirect(path: str, msg: str | None = None, *, anchor: str | None = None,
             **params: Any) -> RedirectResponse:
    """303 See Other after a form post, with an optional status message code and the
    section (``anchor``) to land on."""
    url = with_query(path, msg=msg, **params) + (f"#{anchor}" if anchor else "")
    return RedirectResponse(url, status_code=303)
