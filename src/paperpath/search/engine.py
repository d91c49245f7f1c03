"""Ranked keyword search: BM25 through the library's tantivy index (text_index.py), or the
portable backend (term matching in SQL, ranked in Python) for databases without one.
"""

from __future__ import annotations

import re
from typing import Any

import tantivy
from sqlalchemy import Connection, or_, select

from paperpath.search.filters import _like_escape, filter_conditions
from paperpath.search.query import STOP_WORDS, ParsedQuery, Term
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
    ranked = ranking(conn, query, filters, limit + offset, index, fill)[offset:]
    return hits(conn, query, ranked, index, snippets)


def ranking(conn: Connection, query: ParsedQuery, filters: SearchFilters, depth: int,
            index: TextIndex | None = None, fill: int | None = None) -> list[tuple[int, float]]:
    """The best ``depth`` (paper key, score) pairs, best first, without reading the papers:
    for callers that fuse deep result lists and show only a page of them (hybrid search
    reading 100 papers it then drops cost more than ranking them at a million papers)."""
    if query.empty:
        return []
    if index is not None:
        return _index_ranking(index, query, filters, depth, fill)
    return _portable_ranking(conn, query, filters)[:depth]


def hits(conn: Connection, query: ParsedQuery, ranked: list[tuple[int, float]],
         index: TextIndex | None = None, snippets: int | None = None) -> list[SearchHit]:
    """SearchHits for ranked (paper key, score) pairs, in their order, with the query's words
    highlighted in titles and snippets (the first ``snippets`` hits only, when given);
    papers deleted since they were ranked are left out."""
    found = papers_by_pk(conn, [pk for pk, _ in ranked])
    if query.empty:
        return [SearchHit(found[pk], s, _lead(found[pk].abstract)) for pk, s in ranked
                if pk in found]
    if index is None:
        words = [w.lower() for w in query.words()]
        return [SearchHit(found[pk], s, _highlight(_lead(found[pk].abstract, 60), words),
                          _highlight(found[pk].title, words)) for pk, s in ranked if pk in found]
    idx = index.index()
    searcher = idx.searcher()
    marker = _Highlighter(idx, searcher,
                          _compile(idx, searcher, query, any_word=True, cache=index.forms))
    out = []
    for pk, score in ranked:
        paper = found.get(pk)
        if paper is None:  # deleted since it was indexed
            continue
        if snippets is not None and len(out) >= snippets:
            out.append(SearchHit(paper, score, _lead(paper.abstract)))
            continue
        out.append(SearchHit(paper, score, marker.snippet(paper.abstract) or
                             _lead(paper.abstract), marker.title(paper.title)))
    return out


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
OTHER_FORMS = 0.5  # weight of the other forms of a query word's stem


Forms = dict[tuple[str, str], list[str]]  # (field, word) -> forms; per index state


def _variants(searcher: tantivy.Searcher, field: str, word: str,
              cache: Forms | None = None) -> list[str]:
    """Forms of word in the index that share its English stem (models → model, modeling).

    Only the common forms are kept (up to MAX_VARIANTS, each in at least 1% as many papers as
    the most common): rare spellings add little and each extra term slows the top-k search.
    ``cache`` (TextIndex.forms, emptied when the index changes) remembers them: a search
    looks each word up two or three times (ranking, fallback, highlighter), 0.1 ms each at a
    million papers.
    """
    if cache is None:
        return _find_variants(searcher, field, word)
    forms = cache.get((field, word))
    if forms is None:
        if len(cache) >= 4096:
            cache.clear()
        forms = cache[(field, word)] = _find_variants(searcher, field, word)
    return forms


def _find_variants(searcher: tantivy.Searcher, field: str, word: str) -> list[str]:
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


def _term(idx: tantivy.Index, searcher: tantivy.Searcher, term: Term,
          cache: Forms | None = None) -> tantivy.Query:
    fields = [term.column] if term.column else list(FIELDS)
    text = _clean(term)
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
    return tantivy.Query.boolean_query(_word_clauses(idx, searcher, words[0], fields, cache))


def _word_clauses(idx: tantivy.Index, searcher: tantivy.Searcher, word: str, fields: list[str],
                  cache: Forms | None = None) -> list[tuple[tantivy.Occur, tantivy.Query]]:
    """One word as alternatives: each field, each common form of its stem.

    Kept flat (no max over the forms nested inside): tantivy scores a union of plain term
    queries with block-max pruning, and a nested one paper by paper — the first design was
    1.6x slower at a million papers. The form typed counts fully and the other forms of its
    stem half, so a paper using several spellings of a word gains little from it (this also
    ranked SciTLDR known items better: keyword MRR@20 0.833 against 0.818)."""
    should = tantivy.Occur.Should
    clauses = []
    for f in fields:
        forms = _variants(searcher, f, word, cache) if f in STEMMED else [word]
        typed = word if word in forms else forms[0]
        clauses += [(should, tantivy.Query.boost_query(
            tantivy.Query.term_query(idx.schema, f, w),
            BOOSTS[f] * (1.0 if w == typed else OTHER_FORMS))) for w in forms]
    return clauses


def _plain_word(term: Term) -> str | None:
    """The word of a term that is one plain word (no phrase, prefix or field), else None."""
    if term.phrase or term.prefix or term.column:
        return None
    words = _WORDS.analyze(_clean(term))
    return words[0] if len(words) == 1 else None


def _clean(term: Term) -> str:
    """A term's text without the characters that would break tantivy's query syntax."""
    return term.text.replace('"', " ").replace("\\", " ").strip()


def _loose(terms: list[Term]) -> list[Term]:
    """Terms for matching some of the words: a hyphenated word as its parts ("model-based" →
    model, based). As a phrase inside that union it had tantivy check the positions in every
    paper holding both parts (50 ms at a million papers for "model-based")."""
    out = []
    for t in terms:
        parts = [] if t.phrase or t.prefix or t.column == "authors" else _WORDS.analyze(t.text)
        if len(parts) > 1:
            out += [Term(w, column=t.column) for w in parts if w not in STOP_WORDS]
        else:
            out.append(t)
    return out


def _distinct(terms: list[Term]) -> list[Term]:
    """Terms less those repeating an earlier word's stem ("languages large language"): each
    word already matches every form of its stem, so a repeat only doubles the work."""
    seen: set[tuple[str | None, str]] = set()
    out = []
    for t in terms:
        if not (t.phrase or t.prefix):
            stems = _STEM.analyze(t.text)
            key = (t.column, stems[0] if len(stems) == 1 else t.text.lower())
            if key in seen:
                continue
            seen.add(key)
        out.append(t)
    return out


def _compile(idx: tantivy.Index, searcher: tantivy.Searcher, query: ParsedQuery,
             any_word: bool = False, cache: Forms | None = None) -> tantivy.Query:
    must, should = tantivy.Occur.Must, tantivy.Occur.Should
    if any_word:
        # One flat union of every word's alternatives, so that tantivy can prune it.
        clauses = []
        for t in _distinct(_loose(query.terms)):
            word = _plain_word(t)
            if word is None:
                clauses.append((should, _term(idx, searcher, t, cache)))
            else:
                clauses += _word_clauses(idx, searcher, word, list(FIELDS), cache)
    else:
        singles = _distinct([g[0] for g in query.groups if len(g) == 1])
        clauses = [(must, _term(idx, searcher, t, cache)) for t in singles]
        clauses += [(must, tantivy.Query.boolean_query(
            [(should, _term(idx, searcher, t, cache)) for t in g])) for g in query.groups
            if len(g) > 1]
    clauses += [(tantivy.Occur.MustNot, _term(idx, searcher, t, cache)) for t in query.excluded]
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
    hits = searcher.search(q, n, count=False).hits
    # The key from its fast field (column storage), not the stored document: 6 µs a hit.
    pks = searcher.fast_field_values("pk", [addr for _, addr in hits])
    return [(int(pk), float(score)) for pk, (score, _) in zip(pks, hits, strict=True)]


def _index_ranking(index: TextIndex, query: ParsedQuery, filters: SearchFilters, want: int,
                   fill: int | None) -> list[tuple[int, float]]:
    idx = index.index()
    searcher = idx.searcher()
    filt = _filter(idx, filters)
    ranked = _top(idx, searcher, _compile(idx, searcher, query, cache=index.forms), filt, want)
    # Requiring every word found too little: add papers matching some of them, ranked below.
    if len(ranked) < min(want, fill or want) and len(query.terms) > 1:
        any_word = _compile(idx, searcher, query, any_word=True, cache=index.forms)
        seen = {pk for pk, _ in ranked}
        floor = min((s for _, s in ranked), default=0.0)
        extra = [(pk, s) for pk, s in _top(idx, searcher, any_word, filt, want + len(seen))
                 if pk not in seen]
        ranked += [(pk, min(s, floor) - 1e-6 * (i + 1))
                   for i, (pk, s) in enumerate(extra[: want - len(ranked)])]
    return ranked


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


def _portable_ranking(conn: Connection, query: ParsedQuery,
                      filters: SearchFilters) -> list[tuple[int, float]]:
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
    words = [w.lower() for w in query.words()]
    scored = [(_score(row, words), row.pk) for row in conn.execute(stmt)]
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [(pk, s) for s, pk in scored]


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
