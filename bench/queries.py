"""The search benchmark's query set: 80 written by the team (what learners type) plus 120
drawn at run time from random corpus titles (2-4 content words, fixed seed), a quarter of all
with filters."""

from __future__ import annotations

import gzip
import random
import re
from pathlib import Path
from typing import Any

import orjson

WRITTEN = """
diffusion models
video diffusion
large language model reasoning
chain of thought
retrieval augmented generation
graph neural networks
contrastive learning
self-supervised learning
vision transformer
attention mechanism
reinforcement learning from human feedback
policy optimization
model based reinforcement learning
offline reinforcement learning
federated learning privacy
differential privacy
adversarial robustness
adversarial examples
out of distribution detection
uncertainty estimation
bayesian neural networks
gaussian processes
variational autoencoder
generative adversarial networks
normalizing flows
score matching
flow matching
knowledge distillation
quantization
pruning sparse networks
mixture of experts
parameter efficient fine-tuning
low rank adaptation
instruction tuning
in-context learning
prompt engineering
hallucination detection
machine translation
speech recognition
text to speech
image segmentation
object detection
3d reconstruction
neural radiance fields
gaussian splatting
point cloud
autonomous driving
medical image segmentation
protein structure prediction
molecular generation
time series forecasting
anomaly detection
recommender systems
causal inference
explainable ai
interpretability of transformers
mechanistic interpretability
scaling laws
continual learning catastrophic forgetting
meta learning
few-shot learning
zero-shot classification
domain adaptation
multimodal large language models
vision language models
text to image generation
image editing
video understanding
embodied agents
robot manipulation
multi-agent systems
tool use agents
code generation
mathematical reasoning
benchmark evaluation llm
tokenization
state space models
mamba
efficient attention
long context
"""


def written() -> list[str]:
    return [q.strip() for q in WRITTEN.strip().splitlines() if q.strip()]


STOP = set("a an and are as at be by can do for from has have how in into is it its of on or "
           "our that the their these this those to via was we what when where which who why "
           "will with using based towards toward new novel approach method towards".split())


def from_titles(corpus: Path, n: int, seed: int = 0) -> list[str]:
    with gzip.open(corpus, "rb") as fh:
        titles = [orjson.loads(line)["title"] for line in fh if line.strip()]
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        words = [w for w in re.findall(r"[A-Za-z][A-Za-z\-]+", rng.choice(titles))
                 if w.lower() not in STOP and len(w) > 2]
        if len(words) < 2:
            continue
        k = rng.randint(2, min(4, len(words)))
        start = rng.randint(0, len(words) - k)
        out.append(" ".join(words[start : start + k]).lower())
    return out


FILTERS: list[dict[str, Any]] = [
    {"category": "cs.LG"}, {"category": "cs.CV"}, {"category": "cs.CL"},
    {"since": "2026-01"}, {"has_code": True}, {"category": "cs", "since": "2025-09"},
]


def query_set(corpus: Path, seed: int = 0) -> list[tuple[str, dict[str, Any]]]:
    queries = written() + from_titles(corpus, 120, seed)
    rng = random.Random(seed + 1)
    return [(q, rng.choice(FILTERS) if rng.random() < 0.25 else {}) for q in queries]
