"""Test helpers: an Atom renderer in arXiv's API format and a fake arXiv API server.

Papers come from the shared corpus (read at run time, never copied into the repo) or, when
it is absent, from a few hand-written records. The fake API understands what paperpath
sends: id_list, search_query with cat: and submittedDate:[...], start, max_results, sortBy.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

from snapshot_data import shared_dir
from werkzeug.wrappers import Request, Response

CORPUS = shared_dir() / "data" / "arxiv" / "arxiv-cs-2025-2026.jsonl.gz"
ATOM_TYPE = "application/atom+xml; charset=utf-8"


@dataclass
class ApiPaper:
    """A paper as the fake arXiv API holds it."""

    arxiv_id: str
    title: str
    abstract: str
    authors: list[str]
    categories: list[str]  # primary first
    submitted: datetime
    updated: datetime | None = None
    version: int = 1
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None


_FALLBACK = [
    ("2503.00001", "Sparse Attention for Long Video Diffusion", "cs.CV cs.LG",
     "We propose a sparse attention scheme. Code: https://github.com/example/sparse-vid"),
    ("2503.00002", "On the Convergence of Adam <with> & without Momentum", "cs.LG stat.ML",
     "We study Adam's convergence when beta_1 < 1 & the gradient is noisy."),
    ("2503.00003", "Tokenizer-free Language Models", "cs.CL", "Bytes are all you need."),
    ("2503.00004", "Graph Neural Nets für Molecules", "cs.LG q-bio.BM", "Ünïcode abstract."),
    ("2503.00005", "A Benchmark for Retrieval-Augmented Generation", "cs.CL cs.IR",
     "We release a benchmark of 10k questions."),
    ("2503.00006", "Robust Policy Optimization", "cs.LG cs.AI", "Policies that do not break."),
]


def corpus_papers(n: int, start: datetime, step: timedelta = timedelta(hours=6),
                  category: str | None = None) -> list[ApiPaper]:
    """n papers with submission times start, start+step, ... (ascending).

    Text comes from the shared corpus when present (optionally only papers listing
    `category`), else from the built-in fallback, cycled with fresh ids.
    """
    rows: list[tuple[str, str, str, str, str, str | None]] = []
    if CORPUS.exists():
        with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
            for line in fh:
                obj = json.loads(line)
                if category and category not in obj["categories"].split():
                    continue
                rows.append((obj["id"], obj["title"], obj["categories"], obj["abstract"],
                             obj["authors"], obj.get("comments")))
                if len(rows) >= n:
                    break
    i = 0
    while len(rows) < n:
        ident, title, cats, abstract = _FALLBACK[i % len(_FALLBACK)]
        if category and category not in cats.split():
            cats = f"{category} {cats}"  # the query asked for this category: honour it
        fresh = f"2503.{10000 + i:05d}" if i >= len(_FALLBACK) else ident
        rows.append((fresh, f"{title} ({i})" if i >= len(_FALLBACK) else title, cats, abstract,
                     "Ada Lovelace, Alan Turing", None))
        i += 1
    papers = []
    for k, (ident, title, cats, abstract, authors, comment) in enumerate(rows[:n]):
        papers.append(ApiPaper(
            arxiv_id=ident, title=title, abstract=abstract,
            authors=[a.strip() for a in re.split(r",| and ", authors) if a.strip()],
            categories=cats.split(), submitted=start + k * step, version=1 + k % 3,
            comment=comment,
        ))
    return papers


# -- rendering -------------------------------------------------------------------------------
def _ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def render_entry(p: ApiPaper) -> str:
    abs_url = f"http://arxiv.org/abs/{p.arxiv_id}v{p.version}"
    parts = [
        "<entry>",
        f"<id>{abs_url}</id>",
        f"<updated>{_ts(p.updated or p.submitted)}</updated>",
        f"<published>{_ts(p.submitted)}</published>",
        f"<title>{escape(p.title)}</title>",
        f"<summary>{escape(p.abstract)}</summary>",
    ]
    parts += [f"<author><name>{escape(a)}</name></author>" for a in p.authors]
    if p.doi:
        parts.append(f"<arxiv:doi>{escape(p.doi)}</arxiv:doi>")
        parts.append(f'<link title="doi" href={quoteattr("http://dx.doi.org/" + p.doi)} '
                     'rel="related"/>')
    parts.append(f'<link href="{abs_url}" rel="alternate" type="text/html"/>')
    parts.append(f'<link title="pdf" href="http://arxiv.org/pdf/{p.arxiv_id}v{p.version}" '
                 'rel="related" type="application/pdf"/>')
    if p.comment:
        parts.append(f"<arxiv:comment>{escape(p.comment)}</arxiv:comment>")
    if p.journal_ref:
        parts.append(f"<arxiv:journal_ref>{escape(p.journal_ref)}</arxiv:journal_ref>")
    if p.categories:
        parts.append(f'<arxiv:primary_category term={quoteattr(p.categories[0])} '
                     'scheme="http://arxiv.org/schemas/atom"/>')
    parts += [f'<category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>'
              for c in p.categories]
    parts.append("</entry>")
    return "\n".join(parts)


def render_feed(entries: list[str], total: int, start: int = 0, per_page: int | None = None,
                query: str = "") -> bytes:
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom">\n'
        f'<title type="html">ArXiv Query: {escape(query)}</title>\n'
        "<id>http://arxiv.org/api/fake</id>\n"
        "<updated>2025-06-01T00:00:00-04:00</updated>\n"
        f"<opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"<opensearch:startIndex>{start}</opensearch:startIndex>\n"
        f"<opensearch:itemsPerPage>{per_page if per_page is not None else len(entries)}"
        "</opensearch:itemsPerPage>\n"
    )
    return (head + "\n".join(entries) + "\n</feed>\n").encode("utf-8")


def render_papers(papers: list[ApiPaper], total: int | None = None, start: int = 0) -> bytes:
    return render_feed([render_entry(p) for p in papers],
                       total if total is not None else len(papers), start)


def render_error(message: str) -> bytes:
    slug = re.sub(r"\s+", "_", message)
    entry = (
        "<entry>\n"
        f"<id>http://arxiv.org/api/errors#{escape(slug)}</id>\n"
        "<title>Error</title>\n"
        f"<summary>{escape(message)}</summary>\n"
        "<updated>2025-06-01T00:00:00-04:00</updated>\n"
        f'<link href="http://arxiv.org/api/errors#{escape(slug)}" rel="alternate" '
        'type="text/html"/>\n'
        "<author><name>arXiv api core</name></author>\n"
        "</entry>"
    )
    return render_feed([entry], 1)


# -- the fake server -------------------------------------------------------------------------
_DATE_RANGE = re.compile(r"submittedDate:\[(\d{12}) TO (\d{12})\]")
_CAT = re.compile(r"\bcat:([A-Za-z\-]+(?:\.[A-Za-z\-]+)?)")
_ID_OK = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")


@dataclass
class Hit:
    at: float  # time.monotonic() when the request arrived
    args: dict[str, str]
    headers: dict[str, str]


Fault = Callable[[Request], Response]


@dataclass
class FakeArxiv:
    """A handler for pytest-httpserver acting as the arXiv API over `papers`.

    `faults` are consumed first, one per request (e.g. a 429), before normal answers.
    """

    papers: list[ApiPaper] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)

    def __call__(self, request: Request) -> Response:
        self.hits.append(Hit(time.monotonic(), dict(request.args.items()),
                             dict(request.headers.items())))
        if self.faults:
            return self.faults.pop(0)(request)
        args = request.args
        if args.get("id_list"):
            return self._by_ids(args["id_list"].split(","))
        return self._search(args.get("search_query", ""), int(args.get("start", 0)),
                            int(args.get("max_results", 10)), args.get("sortOrder", "ascending"))

    def _by_ids(self, ids: list[str]) -> Response:
        for ident in ids:
            if not _ID_OK.match(ident):
                return Response(render_error(f"incorrect id format for {ident}"), 400,
                                content_type=ATOM_TYPE)
        by_id = {p.arxiv_id: p for p in self.papers}
        found = [by_id[i] for i in ids if i in by_id]
        # arXiv's own quirk: totalResults counts requested ids, found or not.
        return Response(render_papers(found, total=len(ids)), 200, content_type=ATOM_TYPE)

    def _search(self, query: str, start: int, size: int, order: str) -> Response:
        matched = list(self.papers)
        if m := _CAT.search(query):
            matched = [p for p in matched if m.group(1) in p.categories]
        if m := _DATE_RANGE.search(query):
            lo, hi = (datetime.strptime(s, "%Y%m%d%H%M") for s in m.groups())
            hi += timedelta(seconds=59)
            matched = [p for p in matched if lo <= p.submitted <= hi]
        matched.sort(key=lambda p: p.submitted, reverse=order == "descending")
        page = matched[start : start + size]
        body = render_feed([render_entry(p) for p in page], len(matched), start, size, query)
        return Response(body, 200, content_type=ATOM_TYPE)

    # Handy canned faults.
    @staticmethod
    def status(code: int, headers: dict[str, str] | None = None, body: bytes = b"busy"
               ) -> Fault:
        return lambda _req: Response(body, code, headers=headers or {})

    @staticmethod
    def body(content: bytes, code: int = 200) -> Fault:
        return lambda _req: Response(content, code, content_type=ATOM_TYPE)

    @staticmethod
    def slow(seconds: float) -> Fault:
        def answer(_req: Request) -> Response:
            time.sleep(seconds)
            return Response(render_feed([], 0), 200, content_type=ATOM_TYPE)
        return answer
