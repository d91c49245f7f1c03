"""Ranked keyword search: BM25 through the library's tantivy index (text_index.py), or the
portable backend (term matching in SQL, ranked in Python) for databases without one.
"""

from __future__ import annotations

import re
from typing import Any

import tantivy
from sqlalchemy import Connection, or_, select

from paperpath.search.filters import _like_escape, filter_conditions
from paperpath.search.query import ParsedQuery, Term
from paperpath.search.text_index import BOOSTS, FIELDS, TextIndex
from paperpath.search.types import HL_CLOSE, HL_OPEN, SearchFilters, SearchHit
from paperpath.store.reader import papers_by_pk
from paperpath.store.schema import papers

SNIPPET_TOKENS = 32
SNIPPET_CHARS = 220


def search(conn: Connection, query: ParsedQuery, filters: SearchFilters, limit: int = 20,
           offset: int = 0, index: TextIndex | None = None,
           snippets: int | None = None, fill: int | None = None) -> list[SearchHit]:
    """Ranked hits: BM25 through the library's full-text index when it has one, else the
    portable backend (other databases). ``snippets``: highlight only the first N hits (the
    rest get the abstract's opening), for callers that fuse deep result lists. ``fill``:
    papers matching only some of the words are added when those matching all of them are
    fewer than this (default: the hits asked for)."""
    if query.empty:
        return _browse(conn, filters, limit, offset)
    if index is not None:
        return _index_search(conn, index, query, filters, limit, offset, snippets, fill)
    return _portable_search(conn, query, filters, limit, offset)


def _browse(conn: Connection, filters: SearchFilters, limit: int, offset: int) -> list[SearchHit]:
    """No words: the newest papers matching the filters."""
    # NULLS LAST spelled out: SQLite sorts NULL lowest, PostgreSQL highest.
    stmt = select(papers.c.pk).order_by(papers.c.published.desc().nulls_last(),
                                        papers.c.pk.desc())
    for cond in filter_conditions(filters):
        stmt = stmt.where(cond)
    pks = [r[0] for r in conn.execute(stmt.limit(limit).offset(offset))]
    found = papers_by_pk(conn, pks)
    return [SearchHit(found[pk], 0.0, _lead(found[pk].abstract)) for pk in pks]


def _lead(abstract: str, words: int = SNIPPET_TOKENS) -> str:
    parts = abstract.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


_STEM = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(
    tantivy.Filter.lowercase()).filter(tantivy.Filter.stemmer("english")).build()
_WORDS = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(
    tantivy.Filter.lowercase()).build()
STEMMED = ("title", "abstract")
MAX_VARIANTS = 4


def _variants(searcher: tantivy.Searcher, field: str, word: str) -> list[str]:
    """Forms of word in the index that share its English stem (models → model, modeling).

    Only the common forms are kept (up to MAX_VARIANTS, each in at least 1% as many papers as
    the most common): rare spellings add little and each extra term slows the top-k search.
    """
    stems = _STEM.analyze(word)
    if len(stems) != 1:
        return [word]
    stem = stems[0]
    prefix = stem[: max(3, len(stem) - 1)]  # "studi" must also reach "study"
    forms = [(term, n) for term, n in searcher.terms_with_prefix(field, prefix)
             if len(term) <= len(word) + 6 and _STEM.analyze(term) == [stem]]
    if not forms:
        return [word]
    top = forms[0][1]  # sorted by document count, most common first
    keep = [t for t, n in forms[:MAX_VARIANTS] if n * 100 >= top]
    return keep if word in keep or len(keep) >= MAX_VARIANTS else [*keep, word]


def _term(idx: tantivy.Index, searcher: tantivy.Searcher, term: Term) -> tantivy.Query:
    fields = [term.column] if term.column else list(FIELDS)
    text = term.text.replace('"', " ").replace("\\", " ").strip()
    words = _WORDS.analyze(text)
    should = tantivy.Occur.Should
    if not words:  # nothing left after tokenising (e.g. only punctuation)
        return tantivy.Query.empty_query()
    if term.prefix and len(words) == 1:
        pattern = re.escape(words[0]) + ".*"
        return tantivy.Query.boolean_query(
            [(should, tantivy.Query.boost_query(
                tantivy.Query.regex_query(idx.schema, f, pattern), BOOSTS[f])) for f in fields])
    if len(words) > 1 and fields == ["authors"]:  # names are indexed without positions
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.term_query(idx.schema, "authors", w))
             for w in words])
    if len(words) > 1 or term.prefix:  # phrases match the words as written
        # Author names have no positions: a phrase is looked for in title and abstract.
        pfields = [f for f in fields if f != "authors"]
        try:
            return idx.parse_query(f'"{text}"' + ("*" if term.prefix else ""), pfields,
                                   field_boosts={f: BOOSTS[f] for f in pfields})
        except ValueError:
            return tantivy.Query.empty_query()
    word = words[0]
    clauses = []
    for f in fields:
        forms = _variants(searcher, f, word) if f in STEMMED else [word]
        # The best-scoring form counts (plus a little for the others): summing them would
        # reward a paper for using several spellings of one word.
        terms = [tantivy.Query.term_query(idx.schema, f, w) for w in forms]
        q = terms[0] if len(terms) == 1 else tantivy.Query.disjunction_max_query(terms, 0.1)
        clauses.append((should, tantivy.Query.boost_query(q, BOOSTS[f])))
    return tantivy.Query.boolean_query(clauses)


def _compile(idx: tantivy.Index, searcher: tantivy.Searcher, query: ParsedQuery,
             any_word: bool = False) -> tantivy.Query:
    must, should = tantivy.Occur.Must, tantivy.Occur.Should
    if any_word:
        clauses = [(should, _term(idx, searcher, t)) for t in query.terms]
    else:
        clauses = [(must, tantivy.Query.boolean_query(
            [(should, _term(idx, searcher, t)) for t in g])) for g in query.groups]
    clauses += [(tantivy.Occur.MustNot, _term(idx, searcher, t)) for t in query.excluded]
    return tantivy.Query.boolean_query(clauses)


def _filter(idx: tantivy.Index, f: SearchFilters) -> tantivy.Query | None:
    """Filters as a zero-score clause: they select papers without changing the ranking."""
    schema, must = idx.schema, tantivy.Occur.Must
    clauses = []
    if f.categories:
        clauses.append((must, tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "categories", c))
             for c in f.categories])))
    if f.since or f.until:
        clauses.append((must, tantivy.Query.range_query(
            schema, "day", tantivy.FieldType.Integer,
            f.since.toordinal() if f.since else None,
            f.until.toordinal() if f.until else None)))
    if f.has_code is not None:
        clauses.append((must, tantivy.Query.term_query(schema, "code", int(f.has_code))))
    if f.kind:
        clauses.append((must, tantivy.Query.term_query(schema, "kind", f.kind)))
    if not clauses:
        return None
    return tantivy.Query.const_score_query(tantivy.Query.boolean_query(clauses), 0.0)


def _top(idx: tantivy.Index, searcher: tantivy.Searcher, q: tantivy.Query,
         filt: tantivy.Query | None, n: int) -> list[tuple[int, float]]:
    if filt is not None:
        q = tantivy.Query.boolean_query([(tantivy.Occur.Must, q), (tantivy.Occur.Must, filt)])
    result = searcher.search(q, n, count=False)
    return [(int(searcher.doc(addr)["pk"][0]), float(score)) for score, addr in result.hits]


def _index_search(conn: Connection, index: TextIndex, query: ParsedQuery,
                  filters: SearchFilters, limit: int, offset: int,
                  snippets: int | None = None, fill: int | None = None) -> list[SearchHit]:
    idx = index.index()
    searcher = idx.searcher()
    filt = _filter(idx, filters)
    want = limit + offset
    ranked = _top(idx, searcher, _compile(idx, searcher, query), filt, want)
    any_word = _compile(idx, searcher, query, any_word=True)
    # Requiring every word found too little: add papers matching some of them, ranked below.
    if len(ranked) < min(want, fill or want) and len(query.terms) > 1:
        seen = {pk for pk, _ in ranked}
        floor = min((s for _, s in ranked), default=0.0)
        extra = [(pk, s) for pk, s in _top(idx, searcher, any_word, filt, want + len(seen))
                 if pk not in seen]
        ranked += [(pk, min(s, floor) - 1e-6 * (i + 1))
                   for i, (pk, s) in enumerate(extra[: want - len(ranked)])]
    ranked = ranked[offset:want]
    if not ranked:
        return []
    found = papers_by_pk(conn, [pk for pk, _ in ranked])
    marker = _Highlighter(idx, searcher, any_word)
    hits = []
    for pk, score in ranked:
        paper = found.get(pk)
        if paper is None:  # deleted since it was indexed
            continue
        if snippets is not None and len(hits) >= snippets:
            hits.append(SearchHit(paper, score, _lead(paper.abstract)))
            continue
        hits.append(SearchHit(paper, score, marker.snippet(paper.abstract) or
                              _lead(paper.abstract), marker.title(paper.title)))
    return hits


class _Highlighter:
    """Snippets and highlighted titles for the hits shown (tantivy's snippet generator over
    the text from the library, so the index stores no copy of it)."""

    def __init__(self, idx: tantivy.Index, searcher: tantivy.Searcher, q: tantivy.Query):
        self.abstract = tantivy.SnippetGenerator.create(searcher, q, idx.schema, "abstract")
        self.abstract.set_max_num_chars(SNIPPET_CHARS)
        self.titles = tantivy.SnippetGenerator.create(searcher, q, idx.schema, "title")
        self.titles.set_max_num_chars(1000)

    @staticmethod
    def _mark(gen: tantivy.SnippetGenerator, field: str, text: str) -> tuple[str, bool]:
        doc = tantivy.Document()
        doc.add_text(field, text)
        snip = gen.snippet_from_doc(doc)
        fragment = snip.fragment()
        raw = fragment.encode()
        out, pos = [], 0
        for h in sorted(snip.highlighted(), key=lambda h: h.start):
            out += [raw[pos:h.start].decode(errors="ignore"), HL_OPEN,
                    raw[h.start:h.end].decode(errors="ignore"), HL_CLOSE]
            pos = h.end
        out.append(raw[pos:].decode(errors="ignore"))
        return "".join(out), bool(fragment)

    def snippet(self, abstract: str) -> str:
        marked, ok = self._mark(self.abstract, "abstract", abstract)
        if not ok:
            return ""
        prefix = "" if abstract.startswith(marked.replace(HL_OPEN, "").replace(HL_CLOSE, "")[:20]
                                           ) else "… "
        return prefix + marked + " …"

    def title(self, title: str) -> str:
        marked, ok = self._mark(self.titles, "title", title)
        return marked if ok and len(marked) >= len(title) else title


# -- portable backend ---------------------------------------------------------------------

_SPLIT = re.compile(r"\W+")


def _portable_search(conn: Connection, query: ParsedQuery, filters: SearchFilters, limit: int,
                     offset: int) -> list[SearchHit]:
    """Case-insensitive substring matching of every word group, scored by title-weighted
    term counts in Python. Correct on any SQL database; meant for small group libraries
    until PostgreSQL gets its tsvector index."""
    stmt = select(papers.c.pk, papers.c.title, papers.c.abstract, papers.c.authors)
    for cond in filter_conditions(filters):
        stmt = stmt.where(cond)
    for group in query.groups:
        alts = [_like(t.text, t.column) for t in group]
        stmt = stmt.where(or_(*alts))
    for term in query.excluded:
        stmt = stmt.where(~_like(term.text, term.column))
    scored: list[tuple[float, int]] = []
    words = [w.lower() for w in query.words()]
    for row in conn.execute(stmt):
        scored.append((_score(row, words), row.pk))
    scored.sort(key=lambda x: (-x[0], x[1]))
    page = scored[offset : offset + limit]
    found = papers_by_pk(conn, [pk for _, pk in page])
    return [SearchHit(found[pk], s, _highlight(_lead(found[pk].abstract, 60), words),
                      _highlight(found[pk].title, words)) for s, pk in page]


def _like(word: str, column: str | None) -> Any:
    # Escaped: "%" and "_" in a phrase are text, and PostgreSQL's LIKE would otherwise take
    # a backslash as its escape character where SQLite takes it literally.
    pattern = f"%{_like_escape(word.lower())}%"
    cols = [papers.c[column]] if column else [papers.c.title, papers.c.abstract, papers.c.authors]
    cond = cols[0].ilike(pattern, escape="\\")
    for col in cols[1:]:
        cond = cond | col.ilike(pattern, escape="\\")
    return cond


def _score(row: Any, words: list[str]) -> float:
    title = row.title.lower()
    body = row.abstract.lower()
    return sum(8.0 * title.count(w) + min(body.count(w), 5) for w in words)


def _highlight(textval: str, words: list[str]) -> str:
    if not words:
        return textval
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)),
                         re.IGNORECASE)
    return pattern.sub(lambda m: f"{HL_OPEN}{m.group(0)}{HL_CLOSE}", textval)
