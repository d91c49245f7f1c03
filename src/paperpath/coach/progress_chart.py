"""The compounding chart: what the weekly habit adds up to, as a PNG (matplotlib's Agg canvas,
no display, no pyplot state) — and the same progress as JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

from paperpath.coach.progress import Progress
from paperpath.related.fieldmap_render import atomic_write

WIDTH, HEIGHT, DPI = 12, 7, 100  # 1200 x 700 pixels
PAPERS_COLOUR = "#1f77b4"
TERMS_COLOUR = "#2ca02c"
BAR_COLOUR = "#9ecae1"
MET_COLOUR = "#3182bd"
MAX_TICKS = 16


def write_chart(progress: Progress, path_png: str | Path) -> Path:
    """Draw cumulative papers read and terms known (top) over papers finished each week
    against the goal (bottom); returns the path written."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    weeks = list(progress.weeks)
    x = list(range(len(weeks)))
    labels = [w.week + ("*" if w.future else "") for w in weeks]
    fig = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, 1, height_ratios=(2, 1), hspace=0.08)
    top = fig.add_subplot(grid[0])
    bottom = fig.add_subplot(grid[1], sharex=top)

    # Top: the two things that compound. Terms live on their own axis: they grow ~10x faster.
    papers_line = top.plot(x, [w.papers_total for w in weeks], color=PAPERS_COLOUR,
                           linewidth=2.5, marker="o", markersize=4, label="Papers read (total)")
    top.fill_between(x, [w.papers_total for w in weeks], color=PAPERS_COLOUR, alpha=0.08)
    top.set_ylabel("Papers read (cumulative)", color=PAPERS_COLOUR)
    top.tick_params(axis="y", colors=PAPERS_COLOUR)
    top.yaxis.set_major_locator(MaxNLocator(integer=True))
    top.set_ylim(bottom=0)
    top.grid(axis="y", alpha=0.3)
    terms_axis = top.twinx()
    terms_line = terms_axis.plot(x, [w.terms_total for w in weeks], color=TERMS_COLOUR,
                                 linewidth=2, linestyle="-", marker="s", markersize=3,
                                 label="Terms known (total)")
    terms_axis.set_ylabel("Terms known (cumulative)", color=TERMS_COLOUR)
    terms_axis.tick_params(axis="y", colors=TERMS_COLOUR)
    terms_axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    terms_axis.set_ylim(bottom=0)
    top.tick_params(axis="x", labelbottom=False)

    # Bottom: the weekly habit, goal weeks in a darker blue.
    colours = [MET_COLOUR if w.goal_met else BAR_COLOUR for w in weeks]
    bars = bottom.bar(x, [w.finished for w in weeks], color=colours, width=0.7,
                      label="Papers finished that week (dark: goal met)")
    for bar, w in zip(bars, weeks, strict=True):
        if w.current and not w.goal_met:
            bar.set_hatch("//")  # the week is not over yet
    goal_line = bottom.axhline(progress.goal, color="#d62728", linestyle="--", linewidth=1.5,
                               label=f"Goal: {progress.goal} papers a week")
    bottom.set_ylabel("Papers / week")
    bottom.yaxis.set_major_locator(MaxNLocator(integer=True))
    peak = max([w.finished for w in weeks] + [progress.goal])
    bottom.set_ylim(0, peak + 1)
    bottom.grid(axis="y", alpha=0.3)
    now = next((i for i, w in enumerate(weeks) if w.current), None)
    if now is not None and now < len(weeks) - 1:  # weeks labelled later follow: mark "now"
        for ax in (top, bottom):
            ax.axvline(now + 0.5, color="#888888", linestyle=":", linewidth=1)
    # One legend, in the top-left corner the rising lines leave empty.
    top.legend(handles=[*papers_line, *terms_line, bars, goal_line], loc="upper left",
               frameon=False)
    step = max(1, -(-len(x) // MAX_TICKS))  # at most MAX_TICKS labels stay readable
    ticks = x[::step] if x else []
    if x and ticks[-1] != x[-1]:
        ticks.append(x[-1])
    bottom.set_xticks(ticks, [labels[i] for i in ticks], rotation=45, ha="right")
    bottom.set_xlabel("ISO week" + (" (* labelled after the current week)"
                                    if any(w.future for w in weeks) else ""))
    if x:
        bottom.set_xlim(-0.6, x[-1] + 0.6)

    totals = progress.totals
    fig.suptitle(f"Reading compounds: {totals.papers_read} papers read, "
                 f"{totals.terms_known} terms known in {totals.weeks} "
                 f"week{'s' if totals.weeks != 1 else ''}", fontsize=15, fontweight="bold")
    fig.text(0.5, 0.915, f"streak {progress.streak} week(s), longest {progress.longest_streak}"
             f" · {totals.papers_per_week:g} papers/week on average (goal {progress.goal})"
             f" · {totals.hours:g} hours in all", ha="center", fontsize=10, color="#555555")
    fig.subplots_adjust(left=0.07, right=0.92, top=0.88, bottom=0.16)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return atomic_write(Path(path_png), buffer.getvalue())


def write_json(progress: Progress, path: str | Path) -> Path:
    """``progress.to_dict()`` as indented JSON; returns the path written."""
    data = json.dumps(progress.to_dict(), indent=2, ensure_ascii=False) + "\n"
    return atomic_write(Path(path), data.encode())
