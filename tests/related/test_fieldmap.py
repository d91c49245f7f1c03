"""The map of the field on synthetic clustered vectors: layout, clusters, labels, placement,
storage and drawing."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest

from paperpath.related.fieldmap import (
    FieldMap,
    build_map,
    extend_map,
    load_map,
    save_map,
    write_html,
    write_png,
)
from paperpath.related.fieldmap_labels import cluster_count, label_clusters
from paperpath.related.fieldmap_layout import nearest, nearest_approx, unit_rows
from paperpath.related.fieldmap_render import _SCRIPT, cluster_colours, drawn_label

DIM, PER_BLOB = 64, 200
TERMS = [
    ["graph neural networks", "message passing", "node classification", "graph pooling"],
    ["diffusion models", "image generation", "denoising score matching", "text-to-image"],
    ["reinforcement learning", "policy gradient", "reward shaping", "offline RL"],
]
SHARED_TERM = "deep learning"  # in every paper: never distinctive


def blobs(rng: np.random.Generator, per_blob: int = PER_BLOB,
          ) -> tuple[np.ndarray, np.ndarray, list[list[str]]]:
    """Three Gaussian blobs in 64-d (vectors, blob of each row, key terms of each row)."""
    centres = rng.normal(size=(3, DIM))
    blob = np.repeat(np.arange(3), per_blob)
    vectors = centres[blob] + 0.6 * rng.normal(size=(len(blob), DIM))
    terms = [[t for t in TERMS[b] if rng.random() < 0.7] + [SHARED_TERM] for b in blob]
    return vectors.astype(np.float32), blob, terms


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, list[list[str]], np.random.Generator]:
    rng = np.random.default_rng(0)
    vectors, blob, terms = blobs(rng)
    return vectors, blob, terms, rng


@pytest.fixture(scope="module")
def fmap(data: tuple) -> FieldMap:
    vectors, _, terms, _ = data
    ids = [f"p{i}" for i in range(len(vectors))]
    return build_map(ids, vectors, terms, model="test-model", seed=0)


def majority(values: np.ndarray) -> tuple[int, float]:
    counts = np.bincount(values)
    return int(counts.argmax()), float(counts.max() / counts.sum())


def test_layout_is_finite_and_separates_the_blobs(fmap: FieldMap, data: tuple) -> None:
    _, blob, _, _ = data
    assert fmap.coords.shape == (3 * PER_BLOB, 2) and fmap.coords.dtype == np.float32
    assert np.isfinite(fmap.coords).all()
    centres = np.array([fmap.coords[blob == b].mean(axis=0) for b in range(3)])
    spread = max(float(fmap.coords[blob == b].std(axis=0).max()) for b in range(3))
    gaps = [np.linalg.norm(centres[a] - centres[b]) for a in range(3) for b in range(a + 1, 3)]
    assert min(gaps) > 3 * spread


def test_clusters_are_pure(fmap: FieldMap, data: tuple) -> None:
    _, blob, _, _ = data
    assert len(fmap.centers) == cluster_count(len(blob)) == 6
    assert fmap.clusters.dtype == np.int32 and set(fmap.clusters) == set(range(6))
    for c in range(6):
        assert majority(blob[fmap.clusters == c])[1] > 0.9


def test_labels_come_from_the_clusters_blob(fmap: FieldMap, data: tuple) -> None:
    _, blob, _, _ = data
    assert set(fmap.labels) == set(range(6))
    for c, label in fmap.labels.items():
        owner = majority(blob[fmap.clusters == c])[0]
        parts = label.split(", ")
        assert 2 <= len(parts) <= 3
        assert set(parts) <= set(TERMS[owner]), (c, label)
        assert SHARED_TERM not in parts


def test_label_positions_sit_on_their_cluster(fmap: FieldMap) -> None:
    for c, centre in enumerate(fmap.centers):
        assert np.any(np.all(fmap.coords[fmap.clusters == c] == centre, axis=1))


def test_labels_count_inflections_and_abbreviations_once() -> None:
    terms = ([["graph neural networks", "GNNs", "graph neural network", "message passing"]] * 12
             + [["diffusion models", "image generation"]] * 12)
    clusters = np.array([0] * 12 + [1] * 12, dtype=np.int32)
    labels = label_clusters(clusters, terms, 2)
    assert labels[0] == "graph neural networks, message passing"
    assert labels[1] == "diffusion models, image generation"


def test_labels_write_terms_in_lower_case_unless_always_capitalised() -> None:
    terms = ([["Federated learning", "CLIP", "RAG"]] * 8
             + [["federated learning", "CLIP", "rag"]] * 4)
    labels = label_clusters(np.zeros(12, np.int32), terms, 1)
    assert labels == {0: "federated learning, CLIP, RAG"}
    terms = ([["speculative Decoding", "3D Gaussian Splatting"]] * 8
             + [["speculative decoding", "3d gaussian splatting"]] * 4)
    labels = label_clusters(np.zeros(12, np.int32), terms, 1)
    assert labels == {0: "speculative decoding, 3D Gaussian Splatting"}


def test_labels_count_irregular_plurals_once() -> None:
    terms = [["Nash equilibrium", "Nash equilibria", "game theory"]] * 12
    assert label_clusters(np.zeros(12, np.int32), terms, 1) == {
        0: "Nash equilibrium, game theory"}


def test_crowded_maps_draw_two_terms_per_label() -> None:
    assert drawn_label("a, b, c", 6) == "a, b, c"
    assert drawn_label("a, b, c", 40) == "a, b"


def test_label_falls_back_without_terms() -> None:
    labels = label_clusters(np.array([0, 0, 1], np.int32), [[], [""], [None]], 2)  # type: ignore[list-item]
    assert labels == {0: "cluster 1", 1: "cluster 2"}


def test_extend_places_new_papers_by_their_blob(fmap: FieldMap, data: tuple) -> None:
    vectors, blob, _, _ = data
    rng = np.random.default_rng(1)
    centres = np.array([vectors[blob == b].mean(axis=0) for b in range(3)])
    new_blob = np.repeat(np.arange(3), 4)
    new_vectors = (centres[new_blob] + 0.6 * rng.normal(size=(12, DIM))).astype(np.float32)
    new_terms = [TERMS[b][:2] for b in new_blob]
    new_ids = [f"n{i}" for i in range(12)]
    before = fmap.coords.copy()
    grown = extend_map(fmap, vectors, new_ids, new_vectors, new_terms, model="test-model")
    assert np.array_equal(fmap.coords, before)  # the input map is untouched
    assert np.array_equal(grown.coords[: len(before)], before)
    assert grown.ids[len(before):] == new_ids and grown.coords.shape == (len(before) + 12, 2)
    assert grown.labels == fmap.labels and np.array_equal(grown.centers, fmap.centers)
    blob_centres = np.array([before[blob == b].mean(axis=0) for b in range(3)])
    for i in range(12):
        point = grown.coords[len(before) + i]
        assert np.isfinite(point).all()
        assert int(np.argmin(np.linalg.norm(blob_centres - point, axis=1))) == new_blob[i]
        cluster = grown.clusters[len(before) + i]
        assert majority(blob[fmap.clusters == cluster])[0] == new_blob[i]


def test_extend_with_nothing_new_returns_a_copy(fmap: FieldMap, data: tuple) -> None:
    vectors = data[0]
    same = extend_map(fmap, vectors, [], np.zeros((0, DIM), np.float32), [])
    assert same.ids == fmap.ids and same.coords is not fmap.coords
    assert np.array_equal(same.coords, fmap.coords)


def test_extend_rejects_inconsistent_input(fmap: FieldMap, data: tuple) -> None:
    vectors = data[0]
    new = np.ones((1, DIM), np.float32)
    with pytest.raises(ValueError, match="already on the map"):
        extend_map(fmap, vectors, ["p0"], new, [[]])
    with pytest.raises(ValueError, match="built from 'test-model'"):
        extend_map(fmap, vectors, ["n"], new, [[]], model="other")
    with pytest.raises(ValueError, match="dimensions"):
        extend_map(fmap, vectors, ["n"], np.ones((1, DIM + 1), np.float32), [[]])
    with pytest.raises(ValueError, match="600 ids but 10 vector rows"):
        extend_map(fmap, vectors[:10], ["n"], new, [[]])
    with pytest.raises(ValueError, match="NaN"):
        extend_map(fmap, vectors, ["n"], np.full((1, DIM), np.nan, np.float32), [[]])


def test_large_libraries_fit_a_sample_and_place_the_rest() -> None:
    rng = np.random.default_rng(2)
    vectors, blob, terms = blobs(rng, per_blob=100)
    stages: set[str] = set()
    fm = build_map([f"p{i}" for i in range(300)], vectors, terms, model="m", sample=100,
                   progress=lambda stage, done, total: stages.add(stage))
    assert stages == {"neighbours", "layout", "placing", "clusters", "labels"}
    assert fm.coords.shape == (300, 2) and np.isfinite(fm.coords).all()
    centres = np.array([fm.coords[blob == b].mean(axis=0) for b in range(3)])
    nearest = np.argmin(np.linalg.norm(fm.coords[:, None] - centres[None], axis=2), axis=1)
    assert (nearest == blob).mean() > 0.95


def test_approximate_neighbours_agree_with_exact_ones() -> None:
    from openTSNE.nearest_neighbors import Annoy

    rng = np.random.default_rng(3)
    ref, query = unit_rows(rng.normal(size=(1500, 16))), unit_rows(rng.normal(size=(50, 16)))
    index = Annoy(ref, k=5, metric="euclidean", n_jobs=1, random_state=0)
    index.build()
    exact_idx, exact_sim = nearest(ref, query, 15)
    approx_idx, approx_sim = nearest_approx(index, query, 15, n_jobs=1)
    recall = np.mean([len(set(a) & set(e)) / 15 for a, e in zip(approx_idx, exact_idx,
                                                                 strict=True)])
    assert recall > 0.8
    cosines = np.einsum("md,mkd->mk", query, ref[approx_idx])
    assert np.allclose(approx_sim, cosines, atol=1e-4)  # similarities of the returned rows
    assert (approx_sim[:, 0] <= exact_sim[:, 0] + 1e-4).all()
    assert (np.diff(approx_sim, axis=1) <= 1e-6).all()  # best first


@pytest.mark.parametrize("n", [1, 2, 3, 12])
def test_tiny_libraries_give_a_tiny_map(n: int) -> None:
    rng = np.random.default_rng(n)
    fm = build_map([f"p{i}" for i in range(n)], rng.normal(size=(n, 8)), [["x"]] * n,
                   model="m")
    assert fm.coords.shape == (n, 2) and np.isfinite(fm.coords).all()
    assert len(fm.centers) == 1 and (fm.clusters == 0).all()
    assert fm.labels == {0: "x"}


def test_identical_vectors_make_one_cluster() -> None:
    fm = build_map([f"p{i}" for i in range(30)], np.ones((30, 4)), [[]] * 30, model="m")
    assert np.isfinite(fm.coords).all() and len(fm.centers) >= 1


@pytest.mark.parametrize(("ids", "vectors", "terms", "message"), [
    ([], np.zeros((0, 4)), [], "no papers"),
    (["a", "b"], np.ones((3, 4)), [[], []], "2 ids but 3 vector rows"),
    (["a", "b"], np.ones((2, 4)), [[]], "2 ids but 1 key-term lists"),
    (["a", "b"], np.ones((2, 4)), ["ab", "cd"], "not a string"),
    (["a", "a"], np.ones((2, 4)), [[], []], "duplicate ids"),
    (["a", ""], np.ones((2, 4)), [[], []], "non-empty strings"),
    (["a", "b"], np.array([[1.0, np.nan], [1.0, 2.0]]), [[], []], r"NaN.*'a'"),
    (["a", "b"], np.array([[0.0, 0.0], [1.0, 2.0]]), [[], []], "all zero"),
    (["a", "b"], np.ones((2, 1)), [[], []], "at least 2 dimensions"),
    (["a", "b"], np.ones(2), [[], []], "2-D array"),
    (["a", "b"], [["x", "y"], ["z", "w"]], [[], []], "not numeric"),
])
def test_bad_input_is_a_clear_error(ids: list, vectors: object, terms: list,
                                    message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_map(ids, vectors, terms, model="m")  # type: ignore[arg-type]


def test_save_and_load_round_trip(fmap: FieldMap, tmp_path: Path) -> None:
    path = save_map(fmap, tmp_path / "maps" / "field.npz")
    assert [p.name for p in path.parent.iterdir()] == ["field.npz"]  # no temporary left
    back = load_map(path)
    assert back.ids == fmap.ids and back.model == fmap.model and back.labels == fmap.labels
    assert np.array_equal(back.coords, fmap.coords) and back.coords.dtype == np.float32
    assert np.array_equal(back.clusters, fmap.clusters) and back.clusters.dtype == np.int32
    assert np.array_equal(back.centers, fmap.centers)
    with np.load(path, allow_pickle=False) as raw:  # no pickled objects inside
        assert set(raw.files) == {"coords", "clusters", "centers", "header"}


def test_load_rejects_other_files(tmp_path: Path) -> None:
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file")
    with pytest.raises(ValueError, match="not a paperpath field map"):
        load_map(junk)
    other = tmp_path / "other.npz"
    np.savez(other, coords=np.zeros((1, 2)))
    with pytest.raises(ValueError, match="not a paperpath field map"):
        load_map(other)
    with pytest.raises(FileNotFoundError):
        load_map(tmp_path / "missing.npz")


def test_html_is_offline_webgl_with_highlights(fmap: FieldMap, tmp_path: Path) -> None:
    n = len(fmap.ids)
    titles = [f"Paper <{i}> on things" for i in range(n)]
    urls = [f"https://arxiv.org/abs/2501.{i:05d}" for i in range(n)]
    highlight = {"p0": "liked", "p1": "read", "p2": "read", "unknown": "read"}
    page = write_html(fmap, tmp_path / "map.html", titles=titles, highlight=highlight,
                      urls=urls, title="Test map").read_text(encoding="utf-8")
    tags = re.findall(r"<script\b[^>]*>", page)
    assert tags and not any("src" in tag for tag in tags)  # plotly.js inlined, no CDN
    assert "Plotly.newPlot" in page and len(page) > 3_000_000
    assert page.count('"type":"scattergl"') == 6 + 2 + 1  # clusters, highlights, search
    assert '"name":"liked (1)"' in page and '"name":"read (2)"' in page
    assert '"bdata"' in page  # coordinates travel as binary float32
    assert 'PREFIX = "https://arxiv.org/abs/"' in page and '"2501.00007"' in page
    assert page.count("https://arxiv.org/abs/") == 1
    assert "Paper &lt;7&gt; on things" in page  # titles escaped for plotly's hover HTML
    for label in fmap.labels.values():
        assert page.count(label) >= 2  # once in its trace's hover template, once as annotation
    assert 'id="q"' in page  # the search box


def test_html_without_urls_or_highlights(fmap: FieldMap, tmp_path: Path) -> None:
    page = write_html(fmap, tmp_path / "map.html", titles=["t"] * len(fmap.ids)).read_text()
    assert 'PREFIX = ""' in page and page.count('"type":"scattergl"') == 6 + 1


def test_html_of_a_big_map_draws_a_sample_and_every_highlight(fmap: FieldMap,
                                                             tmp_path: Path) -> None:
    titles = [f"title number {i}" for i in range(len(fmap.ids))]
    page = write_html(fmap, tmp_path / "map.html", titles=titles, highlight={"p599": "liked"},
                      max_points=100).read_text()
    assert "(100 of 600 papers drawn)" in page
    drawn = {int(m) for m in re.findall(r"title number (\d+)", page)}
    assert 100 <= len(drawn) <= 101 and 599 in drawn


def test_html_rejects_mismatched_titles(fmap: FieldMap, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="titles"):
        write_html(fmap, tmp_path / "map.html", titles=["only one"])
    with pytest.raises(ValueError, match="urls"):
        write_html(fmap, tmp_path / "map.html", titles=["t"] * len(fmap.ids), urls=["u"])


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_inline_script_is_valid_javascript(tmp_path: Path) -> None:
    script = tmp_path / "map.js"
    script.write_text(_SCRIPT.replace("{plot_id}", "fieldmap").replace("__PREFIX__", '""')
                      .replace("__SEARCH__", "3"))
    subprocess.run(["node", "--check", str(script)], check=True, capture_output=True)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_png_has_the_requested_size(fmap: FieldMap, tmp_path: Path) -> None:
    path = write_png(fmap, tmp_path / "map.png", highlight={"p0": "liked", "p5": "read"},
                     dpi=50, size=(8, 6), title="Test")
    assert png_size(path) == (400, 300)
    assert path.stat().st_size > 5_000


def test_png_of_a_one_paper_map(tmp_path: Path) -> None:
    fm = build_map(["a"], np.ones((1, 3)), [["x"]], model="m")
    assert png_size(write_png(fm, tmp_path / "one.png", dpi=20, size=(5, 5))) == (100, 100)


def test_png_rejects_absurd_sizes(fmap: FieldMap, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unreasonable"):
        write_png(fmap, tmp_path / "x.png", dpi=5000)


def test_neighbouring_clusters_get_different_colours() -> None:
    centers = np.array([[x, y] for x in range(5) for y in range(5)], dtype=np.float32)
    colours = cluster_colours(centers)
    for i in range(25):
        gaps = np.linalg.norm(centers - centers[i], axis=1)
        for j in np.flatnonzero((gaps > 0) & (gaps <= 1.0)):
            assert colours[i] != colours[j]
