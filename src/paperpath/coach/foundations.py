"""The foundations path: which canon papers to read next, and in what order.

A reader names interests (free phrases such as "diffusion models", or canon ids and arXiv ids
of papers they liked). Interests are matched against the canon by stemmed word overlap with
each paper's title, glossary terms, area and summary; the matching papers and every unread
paper they build on (transitively) form the path. The path is a prerequisite order that
starts with what the reader can read now and, among papers that are ready, prefers the more
relevant ones, then those whose difficulty suits the reader's math comfort, then older ones.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from paperpath.coach.canon import AREAS, CanonIndex, CanonPaper, canon, topological
from paperpath.glossary import GlossaryEntry, glossary, lookup, term_key
from paperpath.ids import normalize_arxiv_id, normalize_doi
from paperpath.text.tokens import STOP_WORDS, stem, words

MIN_COMFORT, MAX_COMFORT = 1, 5
DECAY = 0.7  # share of a paper's relevance that each of its prerequisites inherits
RATIO = 0.6  # a match must reach this share of the interest's best match (a soft AND)
MIN_SCORE = 0.35  # ...and at least this score, so one weak shared word is not a match
TITLE_WEIGHT = 1.0  # title and glossary terms say what a paper is about
AREA_WEIGHT = 0.7
SUMMARY_WEIGHT = 0.4  # a passing mention in a summary is weak evidence
NARROWER_STEP = 0.1  # a term n prerequisite steps below the named one scores 1 - n * this
NARROWER_DEPTH = 2
# When an interest names a glossary term or an area outright, the papers that carry the term
# (or a narrower one) or sit in the area are the matches; sharing words alone then scores
# below RATIO, so it only counts when nothing carries the term.
TEXT_WHEN_TERM = 0.55
TEXT_WHEN_AREA = 0.5
# A liked paper's neighbours: shared key terms (up to LIKED_KEY_TERMS of them), same area, and
# building directly on it.
LIKED_KEY_TERMS = 3
LIKED_TERMS, LIKED_AREA, LIKED_BUILDS_ON = 0.6, 0.25, 0.15
TIERS = 4  # relevance is bucketed so difficulty can still order similar papers
FAR_ABOVE = 2  # this many levels above comfort drops a paper one relevance tier
_EPS = 1e-9

# Everyday names of each area (besides its slug and display name) that select it whole.
AREA_ALIASES: dict[str, tuple[str, ...]] = {
    "optimization": ("optimization", "optimisation", "optimizers", "deep learning optimization"),
    "learning_theory": ("learning theory", "statistical learning theory", "machine learning theory",
                        "classic machine learning", "classical machine learning"),
    "probabilistic": ("probabilistic models", "probabilistic machine learning", "bayesian methods",
                      "bayesian machine learning", "graphical models",
                      "probabilistic graphical models", "bayesian inference"),
    "cnn": ("computer vision", "vision", "cnn", "cnns", "convnets", "convolutional networks",
            "convolutional neural networks", "image recognition"),
    "rnn": ("rnn", "rnns", "recurrent networks", "recurrent neural networks", "sequence models"),
    "transformers": ("transformers", "nlp", "natural language processing", "language models",
                     "large language models", "llm", "llms"),
    "embeddings": ("embeddings", "dimensionality reduction"),
    "regularization": ("regularization", "regularisation", "normalization", "data augmentation"),
    "generative": ("generative models", "generative modeling", "generative ai", "image generation"),
    "rl": ("rl", "reinforcement learning", "deep reinforcement learning", "deep rl"),
    "self_supervised": ("self-supervised learning", "contrastive learning", "multimodal learning",
                        "multimodal models"),
    "scaling": ("scaling", "efficiency", "efficient deep learning", "ml systems"),
    "retrieval": ("retrieval", "information retrieval", "search", "recommender systems",
                  "recommendation", "rag"),
    "alignment": ("alignment", "ai alignment", "ai safety", "safety", "responsible ai"),
    "graphs": ("graphs", "graph learning", "graph machine learning", "gnn", "gnns"),
    "interpretability": ("interpretability", "explainability", "explainable ai", "xai",
                         "evaluation", "benchmarks", "mechanistic interpretability"),
}
_SEPARATORS = str.maketrans(dict.fromkeys("-/_'\u2019", " "))


@dataclass(frozen=True)
class PathStep:
    """One paper of the path and why it is there."""

    paper: CanonPaper
    reason: str
    depth: int  # 0 = directly relevant; n = prerequisite n steps away from a relevant paper
    missing_terms: tuple[str, ...]  # glossary ids of the paper the reader does not know yet


@dataclass(frozen=True)
class _Why:
    """Why a paper is directly relevant to one interest."""

    score: float
    interest: str
    kind: str  # "text", "named", "liked" or "general"
    liked: CanonPaper | None = None
    shared: tuple[str, ...] = ()  # names of glossary terms shared with the liked paper


# --- Text matching -------------------------------------------------------------------------


def _tokens(text: str) -> set[str]:
    """Stemmed content words; hyphens and slashes split words ("Q-learning" -> q, learn)."""
    out: set[str] = set()
    for word in words(text.translate(_SEPARATORS)):
        low = word.lower()
        if low not in STOP_WORDS:
            out.add(stem(low))
    return out


def _term_names(term: str, entries: dict[str, GlossaryEntry]) -> list[str]:
    entry = entries.get(term)
    if entry is None:
        return [term]
    return [entry.term, *entry.aliases, term]


class _Context:
    """Per-canon data the path needs: look-ups, a text index, order and dependents."""

    def __init__(self, papers: tuple[CanonPaper, ...]) -> None:
        self.papers = papers
        self.index = CanonIndex(papers)
        self.by_id = {p.id: p for p in papers}
        self.order = [p.id for p in topological(papers)]
        self.entries = {e.id: e for e in glossary()}
        self.dependents: dict[str, list[str]] = {p.id: [] for p in papers}
        for p in papers:
            for pre in p.prerequisites:
                if pre in self.dependents and pre != p.id:
                    self.dependents[pre].append(p.id)
        self.strong: dict[str, set[str]] = {}
        self.area: dict[str, set[str]] = {}
        self.weak: dict[str, set[str]] = {}
        df: Counter[str] = Counter()
        for p in papers:
            names = [n for t in p.terms for n in _term_names(t, self.entries)]
            self.strong[p.id] = _tokens(" ".join([p.title, *names]))
            self.area[p.id] = _tokens(AREAS.get(p.area, p.area))
            self.weak[p.id] = _tokens(p.summary)
            df.update(self.strong[p.id] | self.area[p.id] | self.weak[p.id])
        n = max(len(papers), 1)
        self.idf = {tok: math.log(1 + n / count) for tok, count in df.items()}
        self.descendants = self._descendant_counts()
        self.narrower: dict[str, list[str]] = {}  # term -> terms listing it as prerequisite
        for entry in self.entries.values():
            for pre in entry.prerequisites:
                self.narrower.setdefault(pre, []).append(entry.id)

    def _descendant_counts(self) -> dict[str, int]:
        """How many canon papers build on each paper, directly or not."""
        below: dict[str, set[str]] = {}
        for pid in reversed(self.order):  # dependents come later in prerequisite order
            acc: set[str] = set()
            for dep in self.dependents.get(pid, []):
                acc.add(dep)
                acc |= below.get(dep, set())
            below[pid] = acc
        return {pid: len(ids) for pid, ids in below.items()}

    def narrower_terms(self, term: str) -> dict[str, int]:
        """Terms that build on ``term`` within a few prerequisite steps, with the distance
        ("GCN" builds on "message passing", which builds on "graph neural network")."""
        found = {term: 0}
        frontier = [term]
        for dist in range(1, NARROWER_DEPTH + 1):
            frontier = [n for t in frontier for n in self.narrower.get(t, []) if n not in found]
            for n in frontier:
                found.setdefault(n, dist)
        return found

    def text_score(self, query: set[str], pid: str) -> float:
        """Share of the query's (IDF-weighted) words found in the paper, title and terms
        counting fully, area and summary partly. Words the canon never uses are ignored."""
        known = [q for q in query if q in self.idf]
        total = sum(self.idf[q] for q in known)
        if total <= 0:
            return 0.0
        got = 0.0
        for q in known:
            if q in self.strong[pid]:
                got += self.idf[q] * TITLE_WEIGHT
            elif q in self.area[pid]:
                got += self.idf[q] * AREA_WEIGHT
            elif q in self.weak[pid]:
                got += self.idf[q] * SUMMARY_WEIGHT
        return got / total


@lru_cache(maxsize=8)
def _context(papers: tuple[CanonPaper, ...]) -> _Context:
    return _Context(papers)


# --- Interests -----------------------------------------------------------------------------


def _looks_like_id(text: str) -> bool:
    """A paper key that is not in the canon (a liked frontier paper): no words to match."""
    low = text.strip().lower()
    return (normalize_arxiv_id(text) is not None or low.startswith(("doi:", "item:"))
            or (normalize_doi(text) is not None and " " not in low))


@lru_cache(maxsize=1)
def _area_names() -> dict[str, str]:
    """Normalised name -> area slug, for every way of naming an area outright."""
    out: dict[str, str] = {}
    for slug, name in AREAS.items():
        for alias in (slug.replace("_", " "), name, *AREA_ALIASES.get(slug, ())):
            out.setdefault(term_key(alias), slug)
    return out


def _area_of(text: str) -> str | None:
    return _area_names().get(term_key(text))


def _liked_matches(ctx: _Context, interest: str, liked: CanonPaper) -> dict[str, _Why]:
    """The liked paper itself and its neighbours in the canon."""
    out = {liked.id: _Why(1.0, interest, "named")}
    terms = set(liked.terms)
    wanted = min(len(terms), LIKED_KEY_TERMS)
    for p in ctx.papers:
        if p.id == liked.id:
            continue
        shared = [t for t in p.terms if t in terms]
        score = (LIKED_TERMS * min(1.0, len(shared) / wanted) if wanted else 0.0)
        score += LIKED_AREA * (p.area == liked.area)
        score += LIKED_BUILDS_ON * (liked.id in p.prerequisites)
        if score > 0:
            names = tuple(_term_names(t, ctx.entries)[0] for t in shared)
            out[p.id] = _Why(score, interest, "liked", liked, names)
    return out


def _text_matches(ctx: _Context, interest: str) -> dict[str, _Why]:
    query = _tokens(interest)
    area = _area_of(interest)
    entry = lookup(interest)
    terms = ctx.narrower_terms(entry.id) if entry is not None else {}
    out: dict[str, _Why] = {}
    for p in ctx.papers:
        score = ctx.text_score(query, p.id)
        if area:
            score *= TEXT_WHEN_AREA
        elif terms:
            score *= TEXT_WHEN_TERM
            dists = [terms[t] for t in p.terms if t in terms]
            if dists:
                score = max(score, 1.0 - NARROWER_STEP * min(dists))
        if p.area == area:
            score = 1.0  # the interest names the paper's area
        if score > 0:
            out[p.id] = _Why(score, interest, "text")
    return out


def _keep_best(matches: dict[str, _Why]) -> dict[str, _Why]:
    if not matches:
        return {}
    best = max(w.score for w in matches.values())
    floor = max(MIN_SCORE, RATIO * best) - _EPS
    return {pid: w for pid, w in matches.items() if w.score >= floor}


def _relevant(ctx: _Context, interests: Iterable[str]) -> dict[str, _Why]:
    """Directly relevant papers with their best reason (first interest wins ties)."""
    out: dict[str, _Why] = {}
    for raw in interests:
        interest = " ".join((raw or "").split())
        if not interest:
            continue
        named = ctx.index.find(interest)
        if named is not None:
            found = _liked_matches(ctx, interest, named)
        elif _looks_like_id(interest):
            continue
        else:
            found = _text_matches(ctx, interest)
        for pid, why in _keep_best(found).items():
            if pid not in out or why.score > out[pid].score + _EPS:
                out[pid] = why
    return out


def _general(ctx: _Context) -> dict[str, _Why]:
    """No interests: every paper, weighted by how much of the canon builds on it."""
    top = max(ctx.descendants.values(), default=0)
    scale = math.log1p(top) or 1.0
    return {p.id: _Why(math.log1p(ctx.descendants[p.id]) / scale, "", "general")
            for p in ctx.papers}


# --- Reasons -------------------------------------------------------------------------------

_SHORT_TITLE_CHARS = 40


def short_title(paper: CanonPaper) -> str:
    """The name a paper goes by: the part of its title before a colon when that is short
    ("BERT", "Adam", "U-Net"), else the whole title."""
    head, sep, _ = paper.title.partition(":")
    return head.strip() if sep and 0 < len(head.strip()) <= _SHORT_TITLE_CHARS else paper.title


def _relevance_phrase(why: _Why, paper: CanonPaper) -> str:
    if why.kind == "named":
        return f"you named it in your interests ('{why.interest}')"
    if why.kind == "liked" and why.liked is not None:
        liked = short_title(why.liked)
        ideas = f"shares ideas ({', '.join(why.shared[:3])})" if why.shared else ""
        if why.liked.id in paper.prerequisites:
            return f"builds on {liked}, which you like" + (f"; {ideas}" if ideas else "")
        if ideas:
            return f"{ideas} with {liked}, which you like"
        return f"same area as {liked}, which you like"
    return f"matches your interest '{why.interest}'"


def _general_phrase(ctx: _Context, paper: CanonPaper) -> str:
    n = ctx.descendants.get(paper.id, 0)
    if n == 0:
        return f"a landmark of {AREAS.get(paper.area, paper.area).lower()}"
    later = "later canon paper builds" if n == 1 else "later canon papers build"
    return f"a foundation: {n} {later} on it"


def _prerequisite_phrase(ctx: _Context, via: str, root: str, why: _Why) -> str:
    target = f"prerequisite of {short_title(ctx.by_id[via])}"
    if via != root:
        target += f", on the way to {short_title(ctx.by_id[root])}"
    if why.kind == "general":
        return target
    if why.kind == "named":
        return f"{target} (which you named in your interests: '{why.interest}')"
    if why.kind == "liked" and why.liked is not None:
        return f"{target} (which is close to {short_title(why.liked)}, a paper you like)"
    return f"{target} (which matches your interest '{why.interest}')"


# --- The path ------------------------------------------------------------------------------


def _known(values: Iterable[str], entries: dict[str, GlossaryEntry]) -> set[str]:
    out: set[str] = set()
    for value in values:
        if value in entries:
            out.add(value)
        elif (entry := lookup(value)) is not None:
            out.add(entry.id)
    return out


def _penalty(difficulty: int, comfort: int) -> int:
    """Distance from the reader's comfort; being above it costs twice being below."""
    gap = difficulty - comfort
    return 2 * gap if gap > 0 else -gap


def foundations_path(interests: Sequence[str], read: Collection[str] = (),
                     known_terms: Collection[str] = (), comfort: int = 3,
                     limit: int | None = None, *,
                     papers: Sequence[CanonPaper] | None = None) -> list[PathStep]:
    """The canon papers to read for ``interests``, in a prerequisite order.

    ``interests`` are free phrases and/or canon ids, arXiv ids or DOIs of liked papers;
    empty means general ML foundations (every paper, most built-upon first). ``read`` holds
    canon ids or library keys of papers already read: they are left out and count as met
    prerequisites. ``known_terms`` are glossary ids or names the reader knows (they are left
    out of each step's missing terms). ``comfort`` (1-5) is the reader's math comfort;
    papers far above it come later. ``papers`` replaces the built-in canon (for tests).
    Interests that match nothing give an empty path. Deterministic.
    """
    if not MIN_COMFORT <= comfort <= MAX_COMFORT:
        raise ValueError(f"comfort must be {MIN_COMFORT}-{MAX_COMFORT}, not {comfort}")
    if limit is not None and limit <= 0:
        return []
    ctx = _context(tuple(canon() if papers is None else papers))
    done = {p.id for ref in read if (p := ctx.index.find(ref)) is not None}
    clean = [i for i in interests if i and i.strip()]
    direct = _relevant(ctx, clean) if clean else _general(ctx)
    roots = {pid: why for pid, why in direct.items() if pid not in done}
    if not roots:
        return []

    # Unread prerequisites of relevant papers, found level by level so each gets its
    # shortest distance; the more relevant dependent wins ties.
    depth = dict.fromkeys(roots, 0)
    via: dict[str, str] = {}
    root_of = {pid: pid for pid in roots}
    level = sorted(roots, key=lambda pid: (-roots[pid].score, pid))
    while level:
        nxt: list[str] = []
        for pid in level:
            for pre in ctx.by_id[pid].prerequisites:
                if pre in done or pre in depth or pre not in ctx.by_id:
                    continue
                depth[pre] = depth[pid] + 1
                via[pre] = pid
                root_of[pre] = root_of[pid]
                nxt.append(pre)
        level = nxt

    # Relevance flows down to prerequisites, decaying per step.
    relevance = {pid: roots[pid].score if pid in roots else 0.0 for pid in depth}
    for pid in reversed(ctx.order):
        if pid not in depth:
            continue
        for dep in ctx.dependents[pid]:
            if dep in depth:
                relevance[pid] = max(relevance[pid], relevance[dep] * DECAY)

    def priority(pid: str) -> tuple[int, int, float, int, str]:
        paper = ctx.by_id[pid]
        tier = int(relevance[pid] * TIERS + _EPS)
        if paper.difficulty >= comfort + FAR_ABOVE:
            tier -= 1
        return (-tier, _penalty(paper.difficulty, comfort), -relevance[pid], paper.year, pid)

    waiting = {pid: {q for q in ctx.by_id[pid].prerequisites if q in depth and q != pid}
               for pid in depth}
    ready = [(priority(pid), pid) for pid, pres in waiting.items() if not pres]
    heapq.heapify(ready)
    known = _known(known_terms, ctx.entries)
    steps: list[PathStep] = []
    while ready and (limit is None or len(steps) < limit):
        _, pid = heapq.heappop(ready)
        paper = ctx.by_id[pid]
        if pid in roots:
            why = roots[pid]
            reason = (_general_phrase(ctx, paper) if why.kind == "general"
                      else _relevance_phrase(why, paper))
        else:
            root = root_of[pid]
            reason = _prerequisite_phrase(ctx, via[pid], root, roots[root])
        missing = tuple(t for t in paper.terms if t not in known)
        steps.append(PathStep(paper, reason, depth[pid], missing))
        for dep in ctx.dependents[pid]:
            if dep in waiting:
                waiting[dep].discard(pid)
                if not waiting[dep]:
                    heapq.heappush(ready, (priority(dep), dep))
    return steps
