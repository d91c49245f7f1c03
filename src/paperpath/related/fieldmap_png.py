"""The map of the field as a PNG: matplotlib's Agg canvas (no display, no pyplot state),
clusters coloured and labelled, highlighted papers on top with a legend."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from paperpath.related.fieldmap_render import (
    DEFAULT_HIGHLIGHT,
    HIGHLIGHT_STYLES,
    NO_CLUSTER,
    atomic_write,
    cluster_colours,
    drawn_label,
    highlight_groups,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    from paperpath.related.fieldmap import FieldMap


def _fit_labels(fig: Figure, ax: Axes, texts: list[Text], passes: int = 20) -> None:
    """Move labels apart vertically where they overlap, and inside the picture."""
    if not texts:
        return
    fig.canvas.draw()  # fixes the axes limits, so pixel and data positions correspond
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    to_data = ax.transData.inverted()
    boxes = [t.get_window_extent(renderer) for t in texts]
    # [x0, y0, x1, y1] in pixels, moved as a whole
    rects = np.array([[b.x0, b.y0, b.x1, b.y1] for b in boxes], dtype=np.float64)
    width, height = fig.bbox.width, fig.bbox.height
    pad = 4.0
    for _ in range(passes):
        moved = False
        for i in range(len(rects)):
            for j in range(i + 1, len(rects)):
                a, b = rects[i], rects[j]
                overlap_x = min(a[2], b[2]) - max(a[0], b[0])
                overlap_y = min(a[3], b[3]) - max(a[1], b[1])
                if overlap_x > 0 and overlap_y > 0:
                    # push the pair apart vertically, half each
                    step = (overlap_y + 1) / 2 * (1 if a[1] >= b[1] else -1)
                    a[[1, 3]] += step
                    b[[1, 3]] -= step
                    moved = True
        # keep inside the figure
        rects[:, [0, 2]] += np.clip(pad - rects[:, [0]], 0, None)
        rects[:, [0, 2]] -= np.clip(rects[:, [2]] - (width - pad), 0, None)
        rects[:, [1, 3]] += np.clip(pad - rects[:, [1]], 0, None)
        rects[:, [1, 3]] -= np.clip(rects[:, [3]] - (height - pad), 0, None)
        if not moved:
            break
    for text, rect in zip(texts, rects, strict=True):
        centre = ((rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2)
        text.set_position(tuple(to_data.transform(centre)))


def write_png(fmap: FieldMap, path: str | os.PathLike[str], *,
              highlight: Mapping[str, str] | None = None, dpi: int = 150,
              size: tuple[float, float] = (10.0, 10.0), title: str | None = None) -> Path:
    """Write a static picture of the map: ``size`` inches at ``dpi`` (exactly that many
    pixels), clusters coloured and labelled, highlighted papers on top with a legend."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patheffects import withStroke

    if dpi < 10 or dpi > 1200 or min(size) <= 0 or max(size) > 100:
        raise ValueError(f"write_png: unreasonable size {size} in at {dpi} dpi")
    fig = Figure(figsize=size, dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_axis_off()
    n = len(fmap.ids)
    coords = np.asarray(fmap.coords, np.float64)
    palette = np.array([*cluster_colours(fmap.centers), NO_CLUSTER])
    colours = palette[np.where(fmap.clusters >= 0, fmap.clusters, len(fmap.centers))]
    # dots cover about half the picture whatever n is: area per dot in pt^2, 720 pt a side
    dot = float(np.clip(300_000 / max(n, 1), 0.8, 12)) * size[0] * size[1] / 100
    if n:
        ax.scatter(coords[:, 0], coords[:, 1], s=dot, c=colours, alpha=0.5, linewidths=0,
                   rasterized=True)
    for kind, rows in highlight_groups(fmap, highlight):
        colour, _, marker = HIGHLIGHT_STYLES.get(kind, DEFAULT_HIGHLIGHT)
        ax.scatter(coords[rows, 0], coords[rows, 1], s=90 if marker == "*" else 30, c=colour,
                   marker=marker, edgecolors="white", linewidths=0.6,
                   label=f"{kind} ({len(rows)})", zorder=5)
    if highlight and ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right", fontsize=9, framealpha=0.85)
    if title:
        fig.text(0.01, 0.99, title, ha="left", va="top", fontsize=12, color="#333333")
    if n:
        ax.set_aspect("equal", adjustable="datalim")
        ax.margins(0.03)
    font = 9 if len(fmap.centers) <= 30 else 7.5
    outline = [withStroke(linewidth=3, foreground="white")]
    k = len(fmap.centers)
    texts = [ax.text(x, y, drawn_label(fmap.labels[c], k), ha="center", va="center",
                     fontsize=font, zorder=6, color="#111111", path_effects=outline)
             for c, (x, y) in enumerate(fmap.centers) if fmap.labels.get(c)]
    _fit_labels(fig, ax, texts)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return atomic_write(Path(path), buffer.getvalue())
