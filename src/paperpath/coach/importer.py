"""Reading the reader's work back in: `export_data`'s JSON document, or `export_log`'s CSV
(or JSON) reading log.

Importing is a merge, safe to repeat: records already present are skipped (reading sessions
matched by paper, time and status; cards by kind and ref, keeping the later-reviewed state;
notes, plans and the profile keeping the newer). Every record is checked before anything is
written; bad ones are skipped and reported one line each, naming the file and the record;
the rest is written in one transaction, so a failure leaves the library as it was.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select, update

from paperpath.coach import clock
from paperpath.coach.export import DATA_FORMAT, DATA_VERSION
from paperpath.coach.review import load_state, new_state, to_naive
from paperpath.records import PaperRecord, RecordError
from paperpath.store import coach_store, review_store
from paperpath.store.db import write_tx
from paperpath.store.guide_store import known_keys
from paperpath.store.reader import get_paper
from paperpath.store.schema import (
    explanations,
    feedback,
    known_terms,
    notes,
    papers,
    profile,
    reading_log,
    review_cards,
    week_plans,
)
from paperpath.store.writer import prepare, write_records

if TYPE_CHECKING:
    from paperpath.library import Library

_MAX_BYTES = 512 * 2**20  # larger than any reader's history: refuse rather than exhaust RAM
_PROFILE_FIELDS = {"interests": list, "math_comfort": int, "hours_per_week": float,
                   "papers_per_week": int}
# Signals that withdraw each other (as coach_store.set_feedback applies them).
_OPPOSITE = {"like": "dislike", "dislike": "like", "too_hard": "too_easy",
             "too_easy": "too_hard"}
COUNT_KEYS = ("papers", "profile", "feedback", "reading_log", "tags", "notes",
              "explanations", "week_plans", "review_cards", "reviews", "known_terms")


class DataImportError(ValueError):
    """A file that cannot be imported at all (unreadable, not JSON/CSV, not a paperpath
    export); the message is one line naming the file."""


class _Bad(ValueError):
    """One record that cannot be imported."""


@dataclass
class _Run:
    """The state of one import: counts, problems, and paper ids resolved so far."""

    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))
    problems: list[str] = field(default_factory=list)
    pk_of: dict[str, int] = field(default_factory=dict)  # paper id in the file -> pk here
    key_of: dict[int, str] = field(default_factory=dict)  # pk here -> paper id here

    def bad(self, where: str, why: str) -> None:
        self.problems.append(f"{self.label}: {where}: {' '.join(why.split())}")

    def result(self) -> dict[str, Any]:
        return {**self.counts, "skipped": len(self.problems), "problems": list(self.problems)}


# -- field readers (raise _Bad) -------------------------------------------------------------
def _req(rec: dict[str, Any], name: str) -> Any:
    if name not in rec or rec[name] is None:
        raise _Bad(f"missing {name!r}")
    return rec[name]


def _str(rec: dict[str, Any], name: str, *, empty: bool = False) -> str:
    value = _req(rec, name)
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise _Bad(f"{name!r} must be {'a' if empty else 'a non-empty'} string")
    return value


def _opt_str(rec: dict[str, Any], name: str) -> str | None:
    value = rec.get(name)
    if value is not None and not isinstance(value, str):
        raise _Bad(f"{name!r} must be a string")
    return value or None


def _int(rec: dict[str, Any], name: str, lo: int, hi: int, *, optional: bool = False
         ) -> int | None:
    value = rec.get(name)
    if value in (None, "") and optional:
        return None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise _Bad(f"{name!r} must be a whole number from {lo} to {hi}, not {value!r}")
    return value


def _float(rec: dict[str, Any], name: str) -> float:
    value = _req(rec, name)
    if isinstance(value, bool) or not isinstance(value, int | float) \
            or not math.isfinite(value):
        raise _Bad(f"{name!r} must be a number, not {value!r}")
    return float(value)


def _when(rec: dict[str, Any], name: str) -> datetime:
    value = _req(rec, name)
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None:
        raise _Bad(f"{name!r} must be an ISO date and time, not {value!r}")
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _week(rec: dict[str, Any], name: str = "week") -> str:
    value = _str(rec, name)
    try:
        clock.week_start(value)
    except clock.ClockError as exc:
        raise _Bad(str(exc)) from None
    return value


def _str_list(rec: dict[str, Any], name: str) -> list[str]:
    value = rec.get(name) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Bad(f"{name!r} must be a list of strings")
    return value


# -- entry points ---------------------------------------------------------------------------
def import_data(lib: Library, path: str | Path) -> dict[str, Any]:
    """Merge an `export_data` JSON file (or an `export_log` CSV/JSON file) into the library.

    Returns the count of records added (or updated) per section, ``skipped`` and
    ``problems`` (one line per skipped record). Raises DataImportError for a file that
    cannot be used at all."""
    p = Path(path)
    try:
        if p.stat().st_size > _MAX_BYTES:
            raise DataImportError(f"{p}: too large for a paperpath export")
        raw = p.read_bytes()
    except OSError as exc:
        raise DataImportError(f"{p}: cannot read it ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataImportError(f"{p}: not a text file (expected JSON or CSV)") from None
    run = _Run(str(p))
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        if p.suffix.lower() == ".csv" or stripped.split("\n", 1)[0].startswith("paper_id"):
            _import_log(lib, run, _csv_rows(p, text), "line")
            return run.result()
        raise DataImportError(f"{p}: not a paperpath export (expected JSON or CSV)")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataImportError(f"{p}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                              f"{exc.msg})") from None
    if isinstance(doc, list):  # export_log --format json
        _import_log(lib, run, [(i, r) for i, r in enumerate(doc)], "reading_log")
        return run.result()
    if not isinstance(doc, dict) or doc.get("format") != DATA_FORMAT:
        raise DataImportError(f"{p}: not a paperpath data export (no \"format\": "
                              f"\"{DATA_FORMAT}\")")
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise DataImportError(f"{p}: bad format version {version!r}")
    if version > DATA_VERSION:
        raise DataImportError(f"{p}: format version {version} is newer than this paperpath "
                              f"reads ({DATA_VERSION}); upgrade paperpath")
    _import_document(lib, run, doc)
    return run.result()


def _csv_rows(path: Path, text: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"paper_id", "status", "logged_at"} - set(reader.fieldnames or [])
    if missing:
        raise DataImportError(f"{path}: not a reading log CSV (no column "
                              f"{', '.join(sorted(missing))})")
    try:
        return [(reader.line_num, dict(row)) for row in reader]
    except csv.Error as exc:
        raise DataImportError(f"{path}: line {reader.line_num}: {exc}") from None


# -- sections -------------------------------------------------------------------------------
def _records(run: _Run, doc: dict[str, Any], section: str) -> list[tuple[str, dict[str, Any]]]:
    """The records of a section, each with its name for messages ("notes[3]")."""
    value = doc.get(section)
    if value is None:
        return []
    if not isinstance(value, list):
        run.bad(section, "expected a list; section skipped")
        return []
    out = []
    for i, rec in enumerate(value):
        where = f"{section}[{i}]"
        if isinstance(rec, dict):
            out.append((where, rec))
        else:
            run.bad(where, "expected an object")
    return out


def _each(run: _Run, items: list[tuple[str, dict[str, Any]]],
          handle: Callable[[dict[str, Any]], None]) -> None:
    for where, rec in items:
        try:
            handle(rec)
        except _Bad as exc:
            run.bad(where, str(exc))


def _paper(run: _Run, rec: dict[str, Any], name: str = "paper") -> int:
    ident = _str(rec, name)
    if ident not in run.pk_of:
        raise _Bad(f"paper {ident!r} is neither in the file's papers nor in the library")
    return run.pk_of[ident]


def _import_document(lib: Library, run: _Run, doc: dict[str, Any]) -> None:
    sections = {s: _records(run, doc, s) for s in (
        "papers", "feedback", "reading_log", "tags", "notes", "explanations", "week_plans",
        "review_cards", "known_terms")}
    prof = doc.get("profile")
    if prof is not None and not isinstance(prof, dict):
        run.bad("profile", "expected an object")
        prof = None
    now = clock.now()
    with write_tx(lib.engine) as conn:
        _import_papers(conn, run, sections["papers"], sections)
        if prof is not None:
            _each(run, [("profile", prof)], lambda r: _import_profile(conn, run, r))
        _each(run, sections["feedback"], lambda r: _import_feedback(conn, run, r))
        _each(run, sections["reading_log"], lambda r: _import_log_row(conn, run, r))
        _each(run, sections["tags"], lambda r: _import_tag(conn, run, r))
        _each(run, sections["notes"], lambda r: _import_note(conn, run, r))
        _each(run, sections["explanations"], lambda r: _import_explanation(conn, run, r))
        _each(run, sections["week_plans"], lambda r: _import_plan(conn, run, r))
        known = known_keys(conn)
        _each(run, sections["known_terms"], lambda r: _import_known(conn, run, r, known))
        for where, rec in sections["review_cards"]:
            try:
                _import_card(conn, run, rec, now, where)
            except _Bad as exc:
                run.bad(where, str(exc))


def _import_papers(conn: Connection, run: _Run, items: list[tuple[str, dict[str, Any]]],
                   sections: dict[str, list[tuple[str, dict[str, Any]]]]) -> None:
    """Find each paper of the file in the library, or create it; fills run.pk_of."""
    to_write: list[tuple[str, PaperRecord]] = []
    for where, rec in items:
        try:
            ident = _str(rec, "id")
            found = None
            for probe in (ident, _opt_str(rec, "arxiv_id"),
                          f"doi:{rec['doi']}" if isinstance(rec.get("doi"), str) else None):
                if probe and (found := get_paper(conn, probe)) is not None:
                    break
            if found is not None:  # already here: the library's metadata stays as it is
                run.pk_of[ident] = found.pk
                continue
            published = rec.get("published")
            year = _int(rec, "year", 1000, 3000, optional=True)
            record = PaperRecord(
                title=_str(rec, "title"), abstract=_opt_str(rec, "abstract") or "",
                authors=_str_list(rec, "authors"), arxiv_id=_opt_str(rec, "arxiv_id"),
                doi=_opt_str(rec, "doi"), url=_opt_str(rec, "url"),
                categories=_str_list(rec, "categories"),
                published=date.fromisoformat(published) if published else None,
                year=year, kind=_opt_str(rec, "kind") or "paper", source="manual")
            to_write.append((ident, prepare(record)))
        except (_Bad, RecordError, ValueError, TypeError) as exc:
            run.bad(where, str(exc))
    if to_write:
        result = write_records(conn, [r for _, r in to_write])
        for (ident, _), pk in zip(to_write, result.pks, strict=True):
            run.pk_of[ident] = pk
        run.counts["papers"] = result.inserted
    # Papers other records name that the papers section lacks may be in the library already.
    for ident in sorted(_named_papers(sections) - set(run.pk_of)):
        if (found := get_paper(conn, ident)) is not None:
            run.pk_of[ident] = found.pk
    rows = conn.execute(select(papers.c.pk, papers.c.key)
                        .where(papers.c.pk.in_(sorted(set(run.pk_of.values())))))
    run.key_of = {pk: key for pk, key in rows}


def _named_papers(sections: dict[str, list[tuple[str, dict[str, Any]]]]) -> set[str]:
    """Every paper id the records of the file refer to."""
    names: set[str] = set()
    for section, recs in sections.items():
        for _, rec in recs:
            if section == "review_cards":
                values = [rec.get("ref")] if rec.get("kind") != "term" else []
            elif section == "week_plans":
                items = rec.get("items")
                values = [i.get("paper") for i in items if isinstance(i, dict)] \
                    if isinstance(items, list) else []
            else:
                values = [rec.get("paper")]
            names.update(v for v in values if isinstance(v, str))
    return names


def _import_profile(conn: Connection, run: _Run, rec: dict[str, Any]) -> None:
    values: dict[str, Any] = {}
    for name, kind in _PROFILE_FIELDS.items():
        if name not in rec:
            continue
        if kind is list:
            values[name] = _str_list(rec, name)
        elif kind is int:
            values[name] = _int(rec, name, 0, 1000)
        else:
            values[name] = _float(rec, name)
    updated = _when(rec, "updated_at")
    created = _when(rec, "created_at") if rec.get("created_at") else updated
    have = conn.execute(select(profile.c.updated_at).where(profile.c.id == 1)).first()
    if have is None:
        conn.execute(insert(profile).values(id=1, created_at=created, updated_at=updated,
                                            **values))
    elif have[0] < updated:
        conn.execute(update(profile).where(profile.c.id == 1)
                     .values(updated_at=updated, **values))
    else:
        return
    run.counts["profile"] = 1


def _import_feedback(conn: Connection, run: _Run, rec: dict[str, Any]) -> None:
    pk = _paper(run, rec)
    signal = _str(rec, "signal")
    if signal not in coach_store.SIGNALS:
        raise _Bad(f"signal {signal!r} is not one of {', '.join(coach_store.SIGNALS)}")
    when = _when(rec, "created_at")
    have = {sig: at for sig, at in conn.execute(
        select(feedback.c.signal, feedback.c.created_at).where(feedback.c.paper_pk == pk))}
    if signal in have:
        return
    opposite = _OPPOSITE.get(signal)
    if opposite in have and have[opposite] >= when:
        return  # the reader changed their mind later than this record says
    coach_store.set_feedback(conn, pk, signal, when)
    run.counts["feedback"] += 1


def _log_values(run: _Run, rec: dict[str, Any], paper_field: str
                ) -> tuple[int, str, int, int | None, str, datetime]:
    pk = _paper(run, rec, paper_field)
    status = _str(rec, "status")
    if status not in coach_store.STATUSES:
        raise _Bad(f"status {status!r} is not started or finished")
    minutes = _int(rec, "minutes", 0, 100_000, optional=True) or 0
    rating = _int(rec, "rating", 1, 5, optional=True)
    when = _when(rec, "logged_at")
    week = _week(rec) if rec.get("week") else clock.week_of(clock.local_date(when))
    return pk, status, minutes, rating, week, when


def _add_log(conn: Connection, run: _Run, values: tuple[int, str, int, int | None, str,
                                                          datetime]) -> None:
    pk, status, minutes, rating, week, when = values
    exists = conn.execute(select(reading_log.c.id).where(
        reading_log.c.paper_pk == pk, reading_log.c.logged_at == when,
        reading_log.c.status == status)).first()
    if exists is None:
        coach_store.add_log(conn, pk, status, minutes, rating, week, when)
        run.counts["reading_log"] += 1


def _import_log_row(conn: Connection, run: _Run, rec: dict[str, Any]) -> None:
    _add_log(conn, run, _log_values(run, rec, "paper"))


def _import_log(lib: Library, run: _Run, rows: list[tuple[int, Any]], unit: str) -> None:
    """A reading log on its own (CSV or JSON from `export_log`): papers must be here."""
    with write_tx(lib.engine) as conn:
        for n, rec in rows:
            where = f"{unit} {n}" if unit == "line" else f"{unit}[{n}]"
            if not isinstance(rec, dict):
                run.bad(where, "expected an object")
                continue
            try:
                ident = _str(rec, "paper_id")
                if ident not in run.pk_of:
                    found = get_paper(conn, ident)
                    if found is None:
                        raise _Bad(f"paper {ident!r} is not in the library (add it first)")
                    run.pk_of[ident] = found.pk
                _add_log(conn, run, _log_values(run, rec, "paper_id"))
            except _Bad as exc:
                run.bad(where, str(exc))


def _import_tag(conn: Connection, run: _Run, rec: dict[str, Any]) -> None:
    pk = _paper(run, rec)
    tag = _str(rec, "tag")
    try:
        coach_store.normalize_tag(tag)
    except ValueError as exc:
        raise _Bad(str(exc)) from None
    run.counts["tags"] += len(coach_store.add_tags(conn, pk, [tag]))


def _import_note(conn: Connection, run: _Run, rec: dict[str, Any]) -> None:
    pk = _paper(run, rec)
    body = _str(rec, "body", empty=True)
    updated = _when(rec, "updated_at")
    created = _when(rec, "created_at") if rec.get("created_at") else updated
    have = conn.execute(select(notes.c.updated_at).where(notes.c.paper_pk == pk)).first()
    if have is None:
        conn.execute(insert(notes).values(paper_pk=pk, body=body, created_at=created,
                                          updated_at=updated))
    elif have[0] < updated:  # the newer note wins
        conn.execute(update(notes).where(notes.c.paper_pk == pk)
                     .values(body=body, updated_at=updated))
    else:
        return
    run.counts["notes"] += 1


def _import_explanation(conn: Connection, run: _Run, rec: dict[str, Any]) -> None:
    pk = _paper(run, rec)
    text = _str(rec, "text")
    score = _float(rec, "score")
    report = rec.get("report") or {}
    if not isinstance(report, dict):
        raise _Bad("'report' must be an object")
    when = _when(rec, "created_at")
    exists = conn.execute(select(explanations.c.id).where(
        explanations.c.paper_pk == pk, explanations.c.created_at == when)).first()
    if exists is None:
        coach_store.add_explanation(conn, pk, text, score, report, when)
        run.counts["explanations"] += 1


def _import_plan(conn: Connection, run: _Run, rec: dict[str, Any]) -> None:
    week = _week(rec)
    raw_items = rec.get("items") or []
    if not isinstance(raw_items, list) or not all(isinstance(i, dict) for i in raw_items):
        raise _Bad("'items' must be a list of objects")
    items = []
    for item in raw_items:
        entry = {k: v for k, v in item.items() if k != "paper"}
        if "paper" in item:
            entry["paper_pk"] = _paper(run, item)
        items.append(entry)
    hours = _float(rec, "hours")
    updated = _when(rec, "updated_at")
    created = _when(rec, "created_at") if rec.get("created_at") else updated
    have = conn.execute(select(week_plans.c.updated_at)
                        .where(week_plans.c.week == week)).first()
    if have is None:
        conn.execute(insert(week_plans).values(week=week, items=items, hours=hours,
                                               created_at=created, updated_at=updated))
    elif have[0] < updated:
        conn.execute(update(week_plans).where(week_plans.c.week == week)
                     .values(items=items, hours=hours, updated_at=updated))
    else:
        return
    run.counts["week_plans"] += 1


def _import_known(conn: Connection, run: _Run, rec: dict[str, Any], known: set[str]) -> None:
    key = _str(rec, "key")
    term = _str(rec, "term")
    source = _str(rec, "source")
    added = _when(rec, "added_at")
    if len(key) > 200 or len(source) > 16:
        raise _Bad("'key' or 'source' is too long")
    if key in known:
        return
    conn.execute(insert(known_terms).values(term_key=key, term=term, source=source,
                                            added_at=added))
    known.add(key)
    run.counts["known_terms"] += 1


def _import_card(conn: Connection, run: _Run, rec: dict[str, Any], now: datetime,
                 where: str) -> None:
    kind = _str(rec, "kind")
    if kind not in review_store.CARD_KINDS:
        raise _Bad(f"kind {kind!r} is not one of {', '.join(review_store.CARD_KINDS)}")
    ref = _str(rec, "ref")
    if kind != "term":  # a paper's id here may differ from the exporting library's
        ref = run.key_of.get(_paper(run, rec, "ref"), ref)
    front, back = _str(rec, "front"), _str(rec, "back", empty=True)
    state = rec.get("state")
    due = _when(rec, "due")
    created = _when(rec, "created_at") if rec.get("created_at") else now
    suspended = rec.get("suspended", False)
    if not isinstance(suspended, bool):
        raise _Bad("'suspended' must be true or false")
    reviews = []
    raw_reviews = rec.get("reviews") or []
    if not isinstance(raw_reviews, list):
        raise _Bad("'reviews' must be a list")
    for i, r in enumerate(raw_reviews):
        try:
            if not isinstance(r, dict):
                raise _Bad("expected an object")
            reviews.append((_int(r, "rating", 1, 4), _when(r, "reviewed_at"),
                            _int(r, "duration_ms", 0, 2**31 - 1, optional=True)))
        except _Bad as exc:
            run.bad(f"{where}.reviews[{i}]", str(exc))
    card, why = load_state(state, due, now)
    if card is None:  # keep the card and its history; it starts over
        run.bad(where, f"review state unusable ({why}); imported as a new card")
        state, due = None, now
    last = max([r[1] for r in reviews]
               + ([to_naive(card.last_review)] if card and card.last_review else []),
               default=None)
    row = review_store.find_card(conn, kind, ref)
    if row is None:
        card_id = review_store.add_card(conn, kind, ref, front, back, state or {}, due,
                                        created, suspended)
        if state is None:
            review_store.set_state(conn, card_id, new_state(card_id, now), now)
        run.counts["review_cards"] += 1
    else:
        card_id = row["id"]
        here, _ = load_state(row["state"], row["due"], now)
        mine = review_store.last_reviewed(conn, card_id)
        if here is not None and here.last_review is not None:
            mine = max(filter(None, [mine, to_naive(here.last_review)]))
        if state is not None and last is not None and (mine is None or last > mine):
            conn.execute(update(review_cards).where(review_cards.c.id == card_id).values(
                front=front, back=back, state=state, due=due, suspended=suspended))
            run.counts["review_cards"] += 1
    for rating, at, ms in reviews:
        assert rating is not None
        if not review_store.has_review(conn, card_id, at, rating):
            review_store.add_review(conn, card_id, rating, at, ms)
            run.counts["reviews"] += 1
