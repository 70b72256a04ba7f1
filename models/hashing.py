"""Hashed feature columns exactly as sklearn's FeatureHasher makes them, and count matrices."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.utils import murmurhash3_32


def hashed_column(feature: str, size: int) -> int:
    """The column sklearn's FeatureHasher gives a string feature (signed murmur3, seed 0)."""
    h = murmurhash3_32(feature, 0)
    # abs(-2**31) overflows int32 in sklearn's Cython; it defines the column as below.
    return (2147483647 - (size - 1)) % size if h == -2147483648 else abs(h) % size


def count_matrix(rows: list[list[int]], size: int) -> sp.csr_matrix:
    """A count matrix with one row per list of columns (a repeated column counts twice)."""
    lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    columns = np.fromiter((c for r in rows for c in r), dtype=np.int32, count=int(lengths.sum()))
    return _csr_counts(columns, lengths, size)


def concatenated_count_matrix(
    rows: list[list[np.ndarray]], size: int, dtype=np.float64, summed: bool = True
) -> sp.csr_matrix:
    """A count matrix with one row per list of column arrays. With summed=False a repeated
    column stays as separate entries (enough for a product, and cheaper)."""
    flat = [part for row in rows for part in row]
    columns = np.concatenate(flat) if flat else np.zeros(0, dtype=np.int32)
    lengths = np.fromiter((sum(map(len, row)) for row in rows), np.int64, len(rows))
    return _csr_counts(columns, lengths, size, dtype, summed)


def _csr_counts(
    columns: np.ndarray, lengths: np.ndarray, size: int, dtype=np.float64, summed: bool = True
) -> sp.csr_matrix:
    """Rows of `lengths` columns each, counted and sorted as FeatureHasher leaves them."""
    indptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    data = np.ones(len(columns), dtype=dtype)
    matrix = sp.csr_matrix((data, columns, indptr), shape=(len(lengths), size))
    if summed:
        matrix.sum_duplicates()  # as FeatureHasher does: counts, sorted columns
    return matrix
