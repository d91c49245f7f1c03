"""Synthetic snapshot data for tests (records written here, not copied from ../shared)."""

from __future__ import annotations

import gzip
import json
import os
import random
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
WORDS = (
    "diffusion transformer attention graph neural network reinforcement learning policy "
    "gradient contrastive representation language model vision segmentation detection "
    "retrieval augmented generation benchmark dataset robustness adversarial privacy "
    "federated optimization convergence sparse mixture experts quantization distillation "
    "alignment preference reward agent planning memory tokenizer embedding kernel bayesian "
    "inference uncertainty calibration causal explanation multimodal speech audio video"
).split()


def shared_dir() -> Path:
    return Path(os.environ.get("PAPERPATH_SHARED", REPO.parent / "shared"))


def synthetic_record(i: int, rng: random.Random | None = None, **over: Any) -> dict[str, Any]:
    """A snapshot-schema record with a unique id and title."""
    rng = rng or random.Random(i)
    words = [rng.choice(WORDS) for _ in range(60)]
    month = 1 + i % 12
    rec: dict[str, Any] = {
        "id": f"25{month:02d}.{i:05d}",
        "authors": f"Ada Lovelace{i}, Alan Turing and Grace Hopper",
        "title": f"Paper {i}: {' '.join(words[:6])}",
        "comments": None,
        "categories": rng.choice(["cs.LG stat.ML", "cs.CV", "cs.CL cs.AI", "cs.AI"]),
        "abstract": " ".join(words),
        "update_date": f"2025-{month:02d}-{1 + i % 28:02d}",
    }
    rec.update(over)
    return rec


def write_snapshot(path: Path, records: list[dict[str, Any]] | list[str],
                   gz: bool = False) -> Path:
    """Write records (dicts, or raw lines for malformed input) as JSON lines."""
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    data = ("\n".join(lines) + "\n").encode()
    if gz:
        with gzip.open(path, "wb") as fh:
            fh.write(data)
    else:
        path.write_bytes(data)
    return path
