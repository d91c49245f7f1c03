"""Drawing the map of the field: the interactive, offline HTML page, and what the HTML and
the PNG (`fieldmap_png`) share: colours, highlight groups, label text, atomic writes.

HTML: plotly ``Scattergl`` (WebGL) with the plotly.js bundle inlined, so the file opens
without network. One trace per cluster carries the cluster label in its hover template
(never repeated per point); coordinates travel as float32 binary; URLs as suffixes of their
common prefix. Small inline scripts open a paper's URL on click and highlight the papers
whose title contains the text typed in a search box.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from paperpath.related.fieldmap import FieldMap

# Qualitative colours for clusters (matplotlib's tab10/tab20 without red and grey, which the
# highlights and the unclustered points use); neighbouring clusters get different ones.
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#bcbd22",
           "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#c49c94", "#f7b6d2",
           "#dbdb8d", "#9edae5"]
NO_CLUSTER = "#9a9a9a"
# Highlight kind -> (colour, plotly symbol, matplotlib marker); other kinds get the default.
HIGHLIGHT_STYLES = {"liked": ("#e6004c", "star", "*"), "read": ("#222222", "diamond", "D")}
DEFAULT_HIGHLIGHT = ("#ff8c00", "circle", "o")
MAX_TITLE = 140  # hover titles are cut here: they are most of the file's size
CROWDED = 20  # with more clusters, labels drawn on the map keep their first two terms


def drawn_label(label: str, clusters: int) -> str:
    """A cluster's label as drawn on the map (hover text keeps the full label)."""
    return ", ".join(label.split(", ")[:2]) if clusters > CROWDED else label


def atomic_write(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def cluster_colours(centers: np.ndarray) -> list[str]:
    """A palette colour per cluster, different from its nearest neighbouring clusters."""
    k = len(centers)
    colours: list[str] = []
    if k == 0:
        return colours
    gaps = ((centers[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    near = np.argsort(gaps, axis=1)[:, 1:6]  # greedy colouring of the 5-nearest graph
    used = dict.fromkeys(PALETTE, 0)
    for c in range(k):
        taken = {colours[o] for o in near[c] if o < c}
        free = [p for p in PALETTE if p not in taken] or PALETTE
        # the least used free colour, so that the whole palette is spread over the map
        colour = min(free, key=lambda p: used[p])
        used[colour] += 1
        colours.append(colour)
    return colours


def highlight_groups(fmap: FieldMap, highlight: Mapping[str, str] | None,
                      ) -> list[tuple[str, np.ndarray]]:
    """(kind, rows) per highlight kind, "liked" and "read" first; unknown ids are ignored."""
    if not highlight:
        return []
    row_of = {pid: i for i, pid in enumerate(fmap.ids)}
    groups: dict[str, list[int]] = {}
    for pid, kind in highlight.items():
        if pid in row_of:
            groups.setdefault(str(kind), []).append(row_of[pid])
    order = sorted(groups, key=lambda kind: (kind not in HIGHLIGHT_STYLES, kind))
    # liked drawn last (on top): a liked paper is usually also read
    order.sort(key=lambda kind: kind == "liked")
    return [(kind, np.array(sorted(groups[kind]), dtype=np.int64)) for kind in order]


def _check_rows(fmap: FieldMap, values: Sequence[Any] | None, what: str) -> None:
    if values is not None and len(values) != len(fmap.ids):
        raise ValueError(f"{what}: {len(values)} given for a map of {len(fmap.ids)} papers")


def _short(title: object) -> str:
    text = " ".join(str(title).split()) if title is not None else ""
    if len(text) > MAX_TITLE:
        text = text[: MAX_TITLE - 1].rstrip() + "…"
    return html.escape(text, quote=False)


def _url_parts(urls: Sequence[str | None] | None) -> tuple[str, list[str | None] | None]:
    """Common prefix (up to a '/') and per-paper suffixes; None where a paper has no URL."""
    if urls is None:
        return "", None
    present = [u for u in urls if u]
    prefix = ""
    if present:  # the common prefix of all is that of the smallest and largest
        low, high = min(present), max(present)
        same = next((i for i, (a, b) in enumerate(zip(low, high, strict=False)) if a != b),
                    len(low))
        prefix = low[:same]
    prefix = prefix[: prefix.rfind("/") + 1]  # keeps every suffix non-empty
    return prefix, [u[len(prefix):] if u else None for u in urls]


def write_html(fmap: FieldMap, path: str | os.PathLike[str], *, titles: Sequence[str],
               highlight: Mapping[str, str] | None = None,
               urls: Sequence[str | None] | None = None,
               title: str = "Map of the field", max_points: int = 250_000) -> Path:
    """Write an interactive, self-contained HTML map (plotly.js inlined, WebGL points).

    ``titles`` and ``urls`` follow ``fmap.ids``; ``highlight`` maps ids to a kind ("read",
    "liked", ...), drawn on top with a legend entry per kind. Above ``max_points`` papers a
    random ``max_points`` of them are drawn (highlighted ones always): titles are most of
    the page, and a page of a million titles is too heavy for a browser tab.
    """
    import plotly.graph_objects as go  # heavy import, only when drawing

    _check_rows(fmap, titles, "write_html titles")
    _check_rows(fmap, urls, "write_html urls")
    n = len(fmap.ids)
    shown = np.ones(n, dtype=bool)
    if n > max_points:
        shown[:] = False
        shown[np.random.default_rng(0).choice(n, size=max(0, max_points), replace=False)] = True
        title = f"{title} ({max_points:,} of {n:,} papers drawn)"
    groups = highlight_groups(fmap, highlight)
    needed = shown.copy()
    for _, rows in groups:
        needed[rows] = True
    short = {int(i): _short(titles[i]) for i in np.flatnonzero(needed)}
    coords = np.round(np.asarray(fmap.coords, np.float64), 3).astype(np.float32)
    prefix, suffixes = _url_parts(urls)
    colours = cluster_colours(fmap.centers)
    size = float(np.clip(12 / np.log10(max(int(shown.sum()), 10)), 2.5, 8))
    fig = go.Figure()
    for c in [*range(len(fmap.centers)), -1]:
        rows = np.flatnonzero((fmap.clusters == c) & shown)
        if len(rows) == 0:
            continue
        label = fmap.labels.get(c, "") if c >= 0 else ""
        # "%{" would start a plotly placeholder inside a label
        hover = f"<br><i>{html.escape(label, quote=False)}</i>".replace("%{", "% {")
        fig.add_trace(go.Scattergl(
            x=coords[rows, 0], y=coords[rows, 1], mode="markers", name=label or "other",
            text=[short[i] for i in rows], showlegend=False,
            customdata=[suffixes[i] for i in rows] if suffixes is not None else None,
            hovertemplate=f"%{{text}}{hover if label else ''}<extra></extra>",
            marker={"size": size, "opacity": 0.55,
                    "color": colours[c] if c >= 0 else NO_CLUSTER},
            meta={"role": "points", "label": html.escape(label, quote=False)}))
    for kind, rows in groups:
        colour, symbol, _ = HIGHLIGHT_STYLES.get(kind, DEFAULT_HIGHLIGHT)
        fig.add_trace(go.Scattergl(
            x=coords[rows, 0], y=coords[rows, 1], mode="markers", name=f"{kind} ({len(rows)})",
            text=[f"{short[i]}<br><i>{html.escape(fmap.labels.get(int(fmap.clusters[i]), ''))}"
                  "</i>" for i in rows],
            customdata=[suffixes[i] for i in rows] if suffixes is not None else None,
            hovertemplate=f"%{{text}}<extra>{html.escape(kind)}</extra>",
            marker={"size": size + 9, "symbol": symbol, "color": colour,
                    "line": {"color": "#ffffff", "width": 1}},
            meta={"role": "highlight"}))
    search_trace = len(fig.data)
    fig.add_trace(go.Scattergl(
        x=[], y=[], mode="markers", name="search matches", text=[], customdata=[],
        hovertemplate="%{text}<extra>match</extra>", meta={"role": "search"},
        marker={"size": size + 8, "symbol": "circle-open", "color": "#000000",
                "line": {"width": 2}}))
    fig.update_layout(
        # no template: plotly's default one adds kilobytes of styles for unused trace types
        template="none", font={"family": "system-ui, sans-serif", "size": 12},
        title={"text": html.escape(title), "x": 0.01}, hovermode="closest", dragmode="pan",
        plot_bgcolor="#ffffff", paper_bgcolor="#ffffff",
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        xaxis={"visible": False}, yaxis={"visible": False, "scaleanchor": "x"},
        legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.8)"},
        annotations=[{"x": float(x), "y": float(y),
                      "text": html.escape(drawn_label(fmap.labels[c], len(fmap.centers))),
                      "showarrow": False, "font": {"size": 11, "color": "#222222"},
                      "bgcolor": "rgba(255,255,255,0.65)"}
                     for c, (x, y) in enumerate(fmap.centers) if fmap.labels.get(c)])
    script = _SCRIPT.replace("__PREFIX__", json.dumps(prefix)).replace(
        "__SEARCH__", str(search_trace))
    div = fig.to_html(full_html=False, include_plotlyjs=True, div_id="fieldmap",
                      default_width="100%", default_height="100%", post_script=script,
                      config={"scrollZoom": True, "displaylogo": False, "responsive": True})
    page = _PAGE.format(title=html.escape(title), div=div)
    return atomic_write(Path(path), page.encode("utf-8"))


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>html,body{{margin:0;height:100%;font-family:system-ui,sans-serif}}
#bar{{position:absolute;top:8px;right:12px;z-index:10;background:rgba(255,255,255,.9);
padding:4px 8px;border-radius:4px;font-size:13px}}#wrap{{height:100vh}}</style></head>
<body><div id="bar"><input id="q" type="search" placeholder="Search titles" size="28">
<span id="count"></span></div><div id="wrap">{div}</div></body></html>
"""

# Runs once the plot exists. `arr` reads plotly's binary arrays ({dtype, bdata}) or plain ones.
_SCRIPT = """
var gd = document.getElementById('{plot_id}'), PREFIX = __PREFIX__, SEARCH = __SEARCH__;
var TYPES = {f4: Float32Array, f8: Float64Array, i4: Int32Array, i2: Int16Array,
             u1: Uint8Array, u2: Uint16Array, u4: Uint32Array, i1: Int8Array};
function arr(v) {
  if (!v) return [];
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return v;
  if (v.bdata !== undefined) {
    var b = atob(v.bdata), u = new Uint8Array(b.length);
    for (var i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);
    return new (TYPES[v.dtype] || Float64Array)(u.buffer);
  }
  return [];
}
gd.on('plotly_click', function (e) {
  var p = e.points && e.points[0];
  if (!p || p.customdata === undefined || p.customdata === null) return;
  window.open(PREFIX + p.customdata, '_blank', 'noopener');
});
var cache = null, timer = null;
function points() {
  if (cache) return cache;
  cache = [];
  gd.data.forEach(function (t) {
    if (!t.meta || t.meta.role !== 'points') return;
    var text = arr(t.text);
    var low = Array.prototype.map.call(text, function (s) { return String(s).toLowerCase(); });
    cache.push({x: arr(t.x), y: arr(t.y), text: text, low: low, label: t.meta.label,
                cd: t.customdata ? arr(t.customdata) : null});
  });
  return cache;
}
function search() {
  var q = document.getElementById('q').value.trim().toLowerCase();
  var xs = [], ys = [], tx = [], cd = [], total = 0, MAX = 5000;
  if (q.length >= 2) {
    points().forEach(function (t) {
      for (var i = 0; i < t.low.length; i++) {
        if (t.low[i].indexOf(q) < 0) continue;
        total++;
        if (xs.length >= MAX) continue;
        xs.push(t.x[i]); ys.push(t.y[i]);
        tx.push(t.text[i] + (t.label ? '<br><i>' + t.label + '</i>' : ''));
        cd.push(t.cd ? t.cd[i] : null);
      }
    });
  }
  Plotly.restyle(gd, {x: [xs], y: [ys], text: [tx], customdata: [cd]}, [SEARCH]);
  document.getElementById('count').textContent =
    q.length >= 2 ? total + (total === 1 ? ' match' : ' matches') : '';
}
document.getElementById('q').addEventListener('input', function () {
  clearTimeout(timer); timer = setTimeout(search, 200);
});
"""
