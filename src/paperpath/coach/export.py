"""Taking the reader's work out of paperpath: Anki decks, Obsidian notes, BibTeX reading lists,
the reading log, and a complete JSON backup that `coach.importer` reads back.

Every writer goes through a temporary file renamed into place, so an interrupted export never
leaves a half-written file where a good one was.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import json
import os
import re
import sqlite3
import tempfile
import time
import unicodedata
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson
from sqlalchemy import Connection, select

from paperpath.coach import clock
from paperpath.guide.terms import entry_by_id
from paperpath.store import coach_store, review_store
from paperpath.store.guide_store import list_known
from paperpath.store.reader import get_paper, papers_by_pk
from paperpath.store.schema import known_terms, papers, profile

if TYPE_CHECKING:
    from paperpath.library import Library
    from paperpath.records import Paper

DATA_FORMAT = "paperpath-data"
DATA_VERSION = 1
LOG_FIELDS = ("paper_id", "title", "status", "minutes", "rating", "week", "logged_at")
# Fixed ids: Anki recognises the note type and the deck on every re-import (random ids would
# add a new deck each time).
ANKI_MODEL_ID = 1_718_304_217
ANKI_DECK_ID = 1_718_304_218
ANKI_DECK_NAME = "paperpath"
_ANKI_CSS = (".card { font-family: sans-serif; font-size: 20px; text-align: left; "
             "color: black; background-color: white; max-width: 40em; margin: auto; }")


class ExportError(ValueError):
    """An export that cannot be made as asked (unknown paper, bad week, bad format)."""


# -- shared ---------------------------------------------------------------------------------
@contextmanager
def _atomic_text(path: Path) -> Iterator[IO[str]]:
    """A text file written beside ``path`` and renamed over it only when complete."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            yield fh
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _papers_of(conn: Connection, pks: Iterable[int]) -> dict[int, Paper]:
    return papers_by_pk(conn, sorted(set(pks)))


def _touched(conn: Connection) -> set[int]:
    """Papers the reader did something with: read, noted, explained or tagged."""
    pks = set(coach_store.touched_pks(conn))
    pks.update(r["paper_pk"] for r in coach_store.note_rows(conn))
    pks.update(r["paper_pk"] for r in coach_store.explanation_rows(conn))
    tagged = {key for key, _ in coach_store.tag_rows(conn)}
    if tagged:
        pks.update(conn.execute(select(papers.c.pk).where(papers.c.key.in_(tagged))).scalars())
    return pks


# -- Anki -----------------------------------------------------------------------------------
def _anki_field(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def export_anki(lib: Library, path: str | Path) -> int:
    """Write the review cards (suspended ones left out) as an Anki package (.apkg); returns
    the notes written. Each note's guid comes from the card's kind and ref, so importing a
    later export updates the notes in Anki instead of duplicating them."""
    import genanki

    model = genanki.Model(
        ANKI_MODEL_ID, "paperpath card",
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Kind"}, {"name": "Ref"}],
        templates=[{"name": "Recall", "qfmt": "{{Front}}",
                    "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
        css=_ANKI_CSS)
    deck = genanki.Deck(ANKI_DECK_ID, ANKI_DECK_NAME)
    with lib.engine.connect() as conn:
        rows = review_store.card_rows(conn, include_suspended=False)
    for row in sorted(rows, key=lambda r: (r["kind"], r["ref"])):
        front = f"What is “{row['front']}”?" if row["kind"] == "term" else row["front"]
        deck.add_note(genanki.Note(
            model=model,
            fields=[_anki_field(front), _anki_field(row["back"]), row["kind"],
                    _anki_field(row["ref"])],
            guid=genanki.guid_for("paperpath", row["kind"], row["ref"]),
            tags=[f"paperpath::{row['kind']}"]))
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        _write_apkg(genanki.Package(deck), tmp)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)
    return len(rows)


def _write_apkg(package: Any, path: Path) -> None:
    """genanki's ``write_to_file`` leaves its temporary collection database in /tmp on every
    export; the same steps with a folder that is always removed."""
    with tempfile.TemporaryDirectory(prefix="paperpath-anki-") as folder:
        db = Path(folder) / "collection.anki2"
        conn = sqlite3.connect(db)
        try:
            now = time.time()
            package.write_to_db(conn.cursor(), now, itertools.count(int(now * 1000)))
            conn.commit()
        finally:
            conn.close()
        with zipfile.ZipFile(path, "w") as out:
            out.write(db, "collection.anki2")
            out.writestr("media", "{}")


# -- Markdown (Obsidian) --------------------------------------------------------------------
_UNSAFE_NAME = re.compile(r'[\x00-\x1f<>:"/\\|?*#^\[\]]+')
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}
_WIKI_UNSAFE = re.compile(r"[\[\]|#^]+")


def safe_file_name(title: str, fallback: str, limit: int = 100) -> str:
    """A file name (no extension) that every OS and Obsidian accept, from a title."""
    name = " ".join(_UNSAFE_NAME.sub(" ", unicodedata.normalize("NFC", title)).split())
    name = name[:limit].strip(" .")
    if not name:
        name = " ".join(_UNSAFE_NAME.sub(" ", fallback).split()).strip(" .")[:limit] or "paper"
    if name.lower() in _RESERVED:
        name += "_"
    return name


def _wiki_text(text: str) -> str:
    return " ".join(_WIKI_UNSAFE.sub(" ", text).split())


def _wikilink(text: str, target: str | None = None) -> str:
    """[[text]], or [[target|text]] when the note is named differently."""
    shown, name = _wiki_text(text), _wiki_text(target or text)
    return f"[[{name}]]" if name == shown else f"[[{name}|{shown}]]"


def _yaml(value: Any) -> str:
    # JSON scalars and flow lists are valid YAML: quoting and escapes come out right.
    return json.dumps(value, ensure_ascii=False)


def _status(rows: Sequence[dict[str, Any]]) -> str:
    if any(r["status"] == "finished" for r in rows):
        return "finished"
    return "started" if rows else "unread"


def export_markdown(lib: Library, folder: str | Path, only_read: bool = False) -> int:
    """One Markdown note per paper the reader touched (read, noted, explained or tagged; only
    finished ones with ``only_read``), for Obsidian: YAML front matter, the one-line summary,
    problem/method/result, key terms as [[wikilinks]], notes and the latest explanation.
    Writes an index.md too; returns the paper notes written."""
    out = Path(folder)
    with lib.engine.connect() as conn:
        logs: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in coach_store.log_rows(conn):
            logs[row["paper_pk"]].append(row)
        pks = set(coach_store.finished_pks(conn)) if only_read else _touched(conn)
        found = _papers_of(conn, pks)
        notes = {r["paper_pk"]: r["body"] for r in coach_store.note_rows(conn)}
        latest: dict[int, dict[str, Any]] = {}
        for row in coach_store.explanation_rows(conn):  # oldest first
            latest[row["paper_pk"]] = row
        tags = {pk: coach_store.tags_of(conn, pk) for pk in found}
    out.mkdir(parents=True, exist_ok=True)
    used: set[str] = {"index"}
    index: list[tuple[str, str, str]] = []
    for paper in sorted(found.values(), key=lambda p: (p.title.lower(), p.id)):
        name = safe_file_name(paper.title, paper.id)
        if name.lower() in used:  # two papers with one title: tell them apart by id
            name = safe_file_name(f"{name} ({paper.id})", paper.id, limit=140)
        used.add(name.lower())
        rows = logs.get(paper.pk, [])
        status = _status(rows)
        ratings = [r["rating"] for r in rows if r["rating"] is not None]
        meta = {"id": paper.id, "title": paper.title, "year": paper.year,
                "tags": tags.get(paper.pk, []), "status": status,
                "rating": ratings[-1] if ratings else None,
                "minutes": sum(int(r["minutes"] or 0) for r in rows)}
        body = _paper_note(lib, paper, meta, notes.get(paper.pk), latest.get(paper.pk))
        with _atomic_text(out / f"{name}.md") as fh:
            fh.write(body)
        index.append((name, paper.title, status))
    lines = ["# Papers", "", f"Exported from paperpath on {clock.now().date().isoformat()}.",
             ""]
    for name, title, status in index:
        lines.append(f"- {_wikilink(title, name)} — {status}")
    with _atomic_text(out / "index.md") as fh:
        fh.write("\n".join(lines) + "\n")
    return len(index)


def _paper_note(lib: Library, paper: Paper, meta: dict[str, Any], note: str | None,
                explanation: dict[str, Any] | None) -> str:
    guide = lib.guide(paper.id)
    lines = ["---", *(f"{k}: {_yaml(v)}" for k, v in meta.items()), "---", "",
             f"# {paper.title}", ""]
    if guide.tldr:
        lines += [f"> {' '.join(guide.tldr.split())}", ""]
    links = [f"[{paper.id}]({paper.abs_url})" if paper.abs_url else paper.id]
    if paper.authors:
        links.append(", ".join(paper.authors[:6]) + (" et al." if len(paper.authors) > 6
                                                     else ""))
    lines += [" · ".join(links), ""]
    for heading, sentences in (("Problem", guide.problem), ("Method", guide.method),
                               ("Result", guide.result)):
        if sentences:
            lines += [f"## {heading}", "", *(f"- {s}" for s in sentences), ""]
    if guide.key_terms:
        lines += ["## Key terms", ""]
        for term in guide.key_terms:
            # Glossary terms link to the concept's one note, whatever this paper calls it.
            entry = entry_by_id(term.glossary_id) if term.glossary_id else None
            link = _wikilink(term.term, entry.term if entry else None)
            lines.append(f"- {link} — {term.definition}" if term.definition else f"- {link}")
        lines.append("")
    if note and note.strip():
        lines += ["## My notes", "", note.strip(), ""]
    if explanation is not None:
        when = explanation["created_at"].date().isoformat()
        lines += ["## My explanation", "",
                  f"*score {explanation['score']:.2f} · {when}*", "",
                  explanation["text"].strip(), ""]
    return "\n".join(lines)


# -- BibTeX ---------------------------------------------------------------------------------
_TEX_ESCAPES = str.maketrans({
    "\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", "&": "\\&", "%": "\\%",
    "$": "\\$", "#": "\\#", "_": "\\_", "~": "\\textasciitilde{}",
    "^": "{^}",  # what sources.bibtex decodes back to "^"
})
_TEX_LIGATURES = [("--", "-{}-"), ("``", "`{}`"), ("''", "'{}'")]  # kept as typed
_STOPWORDS = {"a", "an", "the", "on", "of", "for", "in", "to", "and", "with", "towards",
              "toward", "is", "are", "via", "by", "from", "at", "as"}


def tex_escape(text: str) -> str:
    """Plain text as a BibTeX field value: special characters escaped, whitespace folded."""
    out = " ".join(text.split()).translate(_TEX_ESCAPES)
    for seq, rep in _TEX_LIGATURES:
        while seq in out:
            out = out.replace(seq, rep)
    return out


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def cite_key(paper: Paper, used: set[str]) -> str:
    """A readable, unique citation key: first author's family name, year, first title word."""
    family = _ascii_word(paper.authors[0].split(",")[0].split()[-1]) if paper.authors else ""
    words = [_ascii_word(w) for w in paper.title.split()]
    word = next((w for w in words if w and w not in _STOPWORDS), "")
    base = f"{family or 'anon'}{paper.year or ''}{word}" or "paper"
    key, n = base, 0
    while key in used:
        n += 1
        key = base + (chr(ord("a") + n - 1) if n <= 26 else str(n))
    used.add(key)
    return key


def _bib_name(name: str) -> str:
    """A stored "First von Last, Jr" name in BibTeX's "von Last, Jr, First" form."""
    if " and " in f" {name} ":  # an organisation: one name, not two people
        return "{" + tex_escape(name) + "}"
    main, _, jr = name.partition(", ")
    parts = main.split()
    if jr and len(parts) > 1:
        # The last name starts at a lower-case "von" part, else it is the last word.
        cut = next((i for i in range(1, len(parts) - 1) if parts[i][:1].islower()),
                   len(parts) - 1)
        return tex_escape(f"{' '.join(parts[cut:])}, {jr}, {' '.join(parts[:cut])}")
    return tex_escape(name)


def bibtex_entry(paper: Paper, key: str) -> str:
    """One BibTeX entry that `sources.bibtex` imports back to the same paper."""
    fields: list[tuple[str, str]] = [("title", tex_escape(paper.title))]
    if paper.authors:
        fields.append(("author", " and ".join(_bib_name(a) for a in paper.authors)))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if paper.published:
        fields.append(("date", paper.published.isoformat()))
    if paper.venue:
        fields.append(("journal", tex_escape(paper.venue)))
    if paper.arxiv_id:
        fields += [("eprint", paper.arxiv_id), ("archiveprefix", "arXiv")]
        if paper.categories:
            fields.append(("primaryclass", paper.categories[0]))
    if paper.doi:
        fields.append(("doi", tex_escape(paper.doi)))
    if paper.abs_url:
        fields.append(("url", paper.abs_url.replace("%", "\\%")))
    if paper.abstract:
        fields.append(("abstract", tex_escape(paper.abstract)))
    kind = "article" if paper.venue else "misc"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}\n"


def select_papers(lib: Library, *, keys: Sequence[str] | None = None, tag: str | None = None,
                  read: bool = False, week: str | None = None) -> list[int] | None:
    """Paper pks of a reading list (the filters given, combined), None for the whole
    library. Raises ExportError for an unknown paper or week."""
    chosen: list[int] | None = None

    def narrow(pks: Iterable[int]) -> None:
        nonlocal chosen
        allowed = list(dict.fromkeys(pks))
        if chosen is None:
            chosen = allowed
        else:
            keep = set(allowed)
            chosen = [p for p in chosen if p in keep]

    with lib.engine.connect() as conn:
        if keys is not None:
            pks = []
            for ident in keys:
                paper = get_paper(conn, ident)
                if paper is None:
                    raise ExportError(f"{ident}: no such paper in the library")
                pks.append(paper.pk)
            narrow(pks)
        if tag is not None:
            narrow(sorted(coach_store.pks_tagged(conn, tag)))
        if read:
            finished = coach_store.finished_pks(conn)
            narrow(sorted(finished, key=lambda p: (finished[p], p)))
        if week is not None:
            clock.week_start(week)  # a readable error for "W48" or "next"
            plan = coach_store.get_plan(conn, week)
            if plan is None:
                raise ExportError(f"{week}: no plan for that week")
            narrow(int(i["paper_pk"]) for i in plan["items"] or [] if "paper_pk" in i)
    return chosen


def export_bibtex(lib: Library, path: str | Path, *, keys: Sequence[str] | None = None,
                  tag: str | None = None, read: bool = False, week: str | None = None) -> int:
    """Write papers as BibTeX (the whole library, or the reading list the filters pick:
    explicit ids, a tag, the papers read, a week's plan); returns the entries written."""
    chosen = select_papers(lib, keys=keys, tag=tag, read=read, week=week)
    used: set[str] = set()
    count = 0
    with _atomic_text(Path(path)) as fh:
        if chosen is None:
            source: Iterable[Paper] = lib.papers()  # streamed: a snapshot library is large
        else:
            with lib.engine.connect() as conn:
                found = papers_by_pk(conn, chosen)
            source = [found[pk] for pk in chosen if pk in found]
        for paper in source:
            fh.write(("\n" if count else "") + bibtex_entry(paper, cite_key(paper, used)))
            count += 1
    return count


# -- reading log ----------------------------------------------------------------------------
def log_records(conn: Connection) -> list[dict[str, Any]]:
    return [{"paper_id": r["key"], "title": r["title"], "status": r["status"],
             "minutes": r["minutes"], "rating": r["rating"], "week": r["week"],
             "logged_at": _iso(r["logged_at"])} for r in coach_store.log_rows(conn)]


def export_log(lib: Library, path: str | Path, fmt: str = "csv") -> int:
    """Write the reading log as CSV or JSON (columns: `LOG_FIELDS`); returns rows written."""
    if fmt not in ("csv", "json"):
        raise ExportError(f"{fmt!r}: the log is exported as csv or json")
    with lib.engine.connect() as conn:
        rows = log_records(conn)
    with _atomic_text(Path(path)) as fh:
        if fmt == "json":
            fh.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n")
        else:
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=list(LOG_FIELDS), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            fh.write(buf.getvalue())
    return len(rows)


# -- everything -----------------------------------------------------------------------------
def _paper_meta(paper: Paper) -> dict[str, Any]:
    """What an import into an empty library needs to recreate the paper under the same id."""
    return {"id": paper.id, "title": paper.title, "authors": paper.authors,
            "year": paper.year, "abstract": paper.abstract, "arxiv_id": paper.arxiv_id,
            "doi": paper.doi, "url": paper.url, "published": _iso(paper.published),
            "categories": paper.categories, "kind": paper.kind}


def data_document(lib: Library) -> dict[str, Any]:
    """Everything the reader made, as one JSON-ready document (see `export_data`)."""
    with lib.engine.connect() as conn:
        return _document(conn)


def _document(conn: Connection) -> dict[str, Any]:
    referenced: set[int] = set()
    prof = conn.execute(select(profile).where(profile.c.id == 1)).first()
    profile_doc = None
    if prof is not None:
        # str(k): column names are a str subclass, which orjson refuses as keys.
        profile_doc = {str(k): _iso(v) if isinstance(v, datetime) else v
                       for k, v in prof._mapping.items() if k != "id"}

    feedback = []
    for r in coach_store.feedback_rows(conn):
        referenced.add(r["paper_pk"])
        feedback.append({"paper": r["key"], "signal": r["signal"],
                         "created_at": _iso(r["created_at"])})
    log = []
    for r in coach_store.log_rows(conn):
        referenced.add(r["paper_pk"])
        log.append({"paper": r["key"], "status": r["status"], "minutes": r["minutes"],
                    "rating": r["rating"], "week": r["week"],
                    "logged_at": _iso(r["logged_at"])})
    tags = [{"paper": key, "tag": tag} for key, tag in coach_store.tag_rows(conn)]
    notes = []
    for r in coach_store.note_rows(conn):
        referenced.add(r["paper_pk"])
        notes.append({"paper": r["key"], "body": r["body"],
                      "created_at": _iso(r["created_at"]),
                      "updated_at": _iso(r["updated_at"])})
    explanations = []
    for r in coach_store.explanation_rows(conn):
        referenced.add(r["paper_pk"])
        explanations.append({"paper": r["key"], "text": r["text"], "score": r["score"],
                             "report": r["report"], "created_at": _iso(r["created_at"])})
    plans = coach_store.plan_rows(conn)
    plan_pks = {int(i["paper_pk"]) for p in plans for i in p["items"] or [] if "paper_pk" in i}
    referenced |= plan_pks
    cards = review_store.card_rows(conn)
    paper_refs = {c["ref"] for c in cards if c["kind"] in ("paper", "explanation")}
    tag_keys = {t["paper"] for t in tags}
    if paper_refs | tag_keys:
        referenced.update(conn.execute(select(papers.c.pk).where(
            papers.c.key.in_(sorted(paper_refs | tag_keys)))).scalars())
    found = _papers_of(conn, referenced)
    key_of = {pk: p.id for pk, p in found.items()}

    week_plans = []
    for p in plans:
        items = []
        for item in p["items"] or []:
            entry = {k: v for k, v in item.items() if k != "paper_pk"}
            if "paper_pk" in item and int(item["paper_pk"]) in key_of:
                entry["paper"] = key_of[int(item["paper_pk"])]
            items.append(entry)
        week_plans.append({"week": p["week"], "items": items, "hours": p["hours"],
                           "created_at": _iso(p["created_at"]),
                           "updated_at": _iso(p["updated_at"])})
    reviews: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in review_store.review_rows(conn):
        reviews[r["card_id"]].append({"rating": r["rating"],
                                      "reviewed_at": _iso(r["reviewed_at"]),
                                      "duration_ms": r["duration_ms"]})
    card_docs = [{"kind": c["kind"], "ref": c["ref"], "front": c["front"], "back": c["back"],
                  "state": c["state"], "due": _iso(c["due"]), "suspended": bool(c["suspended"]),
                  "created_at": _iso(c["created_at"]), "reviews": reviews.get(c["id"], [])}
                 for c in cards]
    added = {k: a for k, a in conn.execute(select(known_terms.c.term_key,
                                                   known_terms.c.added_at))}
    known = [{"key": k, "term": t, "source": s, "added_at": _iso(added[k])}
             for t, k, s in list_known(conn)]

    # Natural orders, not row ids: two libraries holding the same data give the same file.
    return {
        "format": DATA_FORMAT,
        "version": DATA_VERSION,
        "exported_at": _iso(clock.now()),
        "profile": profile_doc,
        "papers": sorted((_paper_meta(p) for p in found.values()), key=lambda p: p["id"]),
        "feedback": sorted(feedback, key=lambda r: (r["paper"], r["signal"])),
        "reading_log": sorted(log, key=lambda r: (r["logged_at"], r["paper"], r["status"])),
        "tags": tags,
        "notes": sorted(notes, key=lambda r: r["paper"]),
        "explanations": sorted(explanations, key=lambda r: (r["created_at"], r["paper"])),
        "week_plans": week_plans,
        "review_cards": sorted(card_docs, key=lambda c: (c["kind"], c["ref"])),
        "known_terms": sorted(known, key=lambda k: k["key"]),
    }


SECTIONS = ("papers", "feedback", "reading_log", "tags", "notes", "explanations",
            "week_plans", "review_cards", "known_terms")


def export_data(lib: Library, path: str | Path) -> dict[str, int]:
    """Write everything the reader made (profile, feedback, reading log, tags, notes,
    explanations, week plans, review cards with their reviews, known terms) and the
    metadata of every paper it mentions as one versioned JSON document; returns the count
    of records per section."""
    doc = data_document(lib)
    with _atomic_text(Path(path)) as fh:
        fh.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n")
    counts = {name: len(doc[name]) for name in SECTIONS}
    counts["profile"] = int(doc["profile"] is not None)
    counts["reviews"] = sum(len(c["reviews"]) for c in doc["review_cards"])
    return counts
