"""Clusters of the map of the field and their labels.

Clusters are k-means cells of the 2-D layout, so each is one contiguous region of the picture
(k ~ sqrt(n / 50), clamped to [6, 60], fewer for tiny maps). A cluster's label is its 2-3 most
distinctive key terms, a class-based TF-IDF over the papers' key-term lists: the share of
the cluster's papers with the term times the log of how much more often it occurs there than
in the whole map (frequent in the cluster, rare elsewhere). Terms that differ only by
inflection, that contain one another ("language model" / "large language models"), that
differ in their last letters ("Nash equilibria") or that abbreviate one another ("LLMs")
count once.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from paperpath.text.tokens import stem_phrase

MIN_CLUSTERS, MAX_CLUSTERS = 6, 60
TERMS_PER_LABEL = 3
MAX_LABEL_CHARS = 48  # a third term is dropped when the label would be longer
MAX_TERM_CHARS = 80  # longer "terms" are extraction noise
_WORDS = re.compile(r"[\s\-/]+")


def cluster_count(n: int) -> int:
    """Number of clusters for ``n`` points: sqrt(n / 50) in [6, 60], at most n / 10."""
    k = min(MAX_CLUSTERS, max(MIN_CLUSTERS, round(math.sqrt(n / 50))))
    return max(1, min(k, n // 10)) if n > 0 else 0


def cluster_layout(coords: np.ndarray, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """k-means cells of 2-D ``coords``: (cluster of each point int32, label positions (k, 2)).

    A label sits on the member closest to its cell's mean, so it is always on some paper
    even where a cell's mean falls in empty space.
    """
    from sklearn.cluster import KMeans  # heavy import, only when a map is built

    n = coords.shape[0]
    if n == 0:
        return np.zeros(0, np.int32), np.zeros((0, 2), np.float32)
    # duplicate positions cannot be split: no more clusters than distinct points
    k = min(cluster_count(n), len(np.unique(coords, axis=0)))
    if k <= 1:
        return np.zeros(n, np.int32), np.median(coords, axis=0, keepdims=True).astype(np.float32)
    km = KMeans(n_clusters=k, n_init=3, max_iter=100, random_state=seed).fit(coords)
    clusters = km.labels_.astype(np.int32)
    centers = np.zeros((k, 2), np.float32)
    for c in range(k):
        members = np.flatnonzero(clusters == c)
        gaps = ((coords[members] - km.cluster_centers_[c]) ** 2).sum(axis=1)
        centers[c] = coords[members[int(np.argmin(gaps))]]
    return clusters, centers


def _clean(term: object) -> str:
    return " ".join(str(term).split()) if isinstance(term, str) else ""


def _display(forms: Counter[str]) -> str:
    """How to write a term: its most common form, in lower case where papers also write it
    so ("Federated learning" from a sentence start is "federated learning"; "CLIP" stays)."""
    best = forms.most_common(1)[0][0]
    lower = best.lower()
    # a capital inside a word marks an acronym or a name ("RAG", "3D", "LoRA"): keep it;
    # capitals at word starts are titles' and sentences' ("speculative Decoding")
    named = any(ch.isupper() for word in best.split() for ch in word[1:])
    return lower if not named and lower in forms else best


def _acronym(term: str) -> str | None:
    """"LLMs" -> "LLM"; None unless ``term`` looks like an acronym (two capitals, no space)."""
    if " " in term or sum(ch.isupper() for ch in term) < 2:
        return None
    return term.removesuffix("s").upper()


def _abbreviates(short: str, long: str) -> bool:
    """Whether acronym ``short`` ("LoRA") abbreviates multi-word ``long`` ("low-rank
    adaptation"): same first letter, the acronym's letters in order within the phrase."""
    words = [w for w in _WORDS.split(long.lower()) if w]
    if len(words) < 2 or not short or short[0].lower() != words[0][0]:
        return False
    rest = iter("".join(words))
    return all(ch in rest for ch in short.lower())  # `in` consumes: an ordered subsequence


def _same_concept(words_a: frozenset[str], name_a: str, words_b: frozenset[str],
                  name_b: str) -> bool:
    """Near-identical terms: one's stems contain the other's, they differ in their last two
    letters only, or one abbreviates the other."""
    if words_a <= words_b or words_b <= words_a:
        return True
    # irregular plurals the stemmer keeps apart: "equilibrium" / "equilibria"
    low_a, low_b = name_a.lower(), name_b.lower()
    same = next((i for i, (x, y) in enumerate(zip(low_a, low_b, strict=False)) if x != y),
                min(len(low_a), len(low_b)))
    if same >= 5 and len(low_a) - same <= 2 and len(low_b) - same <= 2:
        return True
    short_a, short_b = _acronym(name_a), _acronym(name_b)
    return (short_a is not None and _abbreviates(short_a, name_b)) or (
        short_b is not None and _abbreviates(short_b, name_a))


def label_clusters(clusters: np.ndarray, key_terms: Sequence[Sequence[str]], k: int,
                   ) -> dict[int, str]:
    """Label of each cluster 0..k-1 from its papers' key terms (class TF-IDF, de-duplicated)."""
    keys: dict[str, int] = {}  # stemmed form -> column
    stems: dict[str, str] = {}  # surface form -> stemmed form (cache: stemming is the cost)
    surfaces: list[Counter[str]] = []
    rows = array("q")  # (paper, term) pairs: compact, as there are ~10 per paper
    cols = array("q")
    for i, terms in enumerate(key_terms):
        if clusters[i] < 0:
            continue
        seen: set[int] = set()
        for raw in terms:
            term = _clean(raw)
            if not term or len(term) > MAX_TERM_CHARS:
                continue
            key = stems.get(term)
            if key is None:
                key = stems[term] = stem_phrase(term)
            if not key:
                continue
            col = keys.setdefault(key, len(keys))
            if col == len(surfaces):
                surfaces.append(Counter())
            surfaces[col][term] += 1
            if col not in seen:  # a paper counts once per term
                seen.add(col)
                rows.append(i)
                cols.append(col)
    labels = {c: f"cluster {c + 1}" for c in range(k)}
    if not keys:
        return labels
    n = len(key_terms)
    pairs = (np.frombuffer(rows, np.int64), np.frombuffer(cols, np.int64))
    papers = sp.csr_matrix((np.ones(len(rows)), pairs), shape=(n, len(keys)))
    valid = np.flatnonzero(clusters >= 0)
    member = sp.csr_matrix((np.ones(len(valid)), (clusters[valid], valid)), shape=(k, n))
    # (k, terms), sparse: papers of the cluster with the term (terms run to millions at 1M)
    counts = (member @ papers).tocsr()
    overall = np.asarray(counts.sum(axis=0)).ravel() / max(1, len(valid))
    sizes = np.bincount(clusters[valid], minlength=k)
    key_words = [frozenset(key.split()) for key in keys]
    names_of = [_display(counter) for counter in surfaces]
    for c in range(k):
        lo, hi = counts.indptr[c], counts.indptr[c + 1]
        if hi == lo:
            continue
        cols_c, count_c = counts.indices[lo:hi], counts.data[lo:hi]
        share = count_c / sizes[c]  # of the cluster's papers with the term
        # frequent here x log(how much more frequent than in the whole library): a term most
        # papers share ("large language models") has little lift and gives way to the
        # cluster's own topic; with a single cluster nothing has lift, so frequency decides
        lift = share / overall[cols_c]
        scores = share * np.log(lift) if k > 1 else share
        # a term has to recur in a cluster of any size, and be more frequent than elsewhere
        keep = (count_c >= (2 if sizes[c] >= 10 else 1)) & (scores > 0)
        cols_c, scores = cols_c[keep], scores[keep]
        chosen: list[int] = []
        # best score first; ties to the term seen first in the input, for stable labels
        for j in np.lexsort((cols_c, -scores))[:200]:
            if len(chosen) == TERMS_PER_LABEL:
                break
            col = int(cols_c[j])
            if any(_same_concept(key_words[col], names_of[col], key_words[o], names_of[o])
                   for o in chosen):
                continue
            chosen.append(col)
        names = [names_of[col] for col in chosen]
        while len(names) > 2 and len(", ".join(names)) > MAX_LABEL_CHARS:
            names.pop()
        if names:
            labels[c] = ", ".join(names)
    return labels
