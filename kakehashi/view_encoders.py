"""The two fitted view encoders of a profile that are not plain TF-IDF: sectors and the LSA space.

ProfileVectorizer (kakehashi/features.py) composes them with the word and character TF-IDF.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from kakehashi.taxonomy import Taxonomy


class SectorEncoder(TransformerMixin, BaseEstimator):
    """Sector lists to L2-normalized rows: one-hot, spread to related sectors, weighted by IDF."""

    def __init__(
        self, taxonomy: Taxonomy | None = None, related_weight: float = 0.0, idf: bool = True
    ):
        self.taxonomy = taxonomy
        self.related_weight = related_weight
        self.idf = idf

    def fit(self, sector_lists: Sequence[Sequence[str]], y=None) -> SectorEncoder:
        """Learn each sector's smoothed IDF: a shared rare sector says more than a common one."""
        if self.taxonomy is None:
            raise ValueError("SectorEncoder needs a taxonomy")
        if not 0 <= self.related_weight < 1:
            raise ValueError("related_weight must be in [0, 1)")
        self.keys_ = self.taxonomy.keys
        self.relatedness_ = self.taxonomy.relatedness_matrix(self.related_weight)
        frequency = self._onehot(sector_lists).sum(axis=0)
        self.idf_ = np.ones(len(self.keys_))
        if self.idf:
            self.idf_ = np.log((1 + len(sector_lists)) / (1 + frequency)) + 1
        return self

    def transform(self, sector_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
        """One row per sector list, in the taxonomy's key order."""
        check_is_fitted(self, "idf_")
        spread = self._onehot(sector_lists) @ self.relatedness_
        return sp.csr_matrix(normalize(spread * self.idf_))

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The sector keys."""
        return np.array(self.taxonomy.keys, dtype=object)

    def memberships(self, sector_lists: Sequence[Sequence[str]]) -> np.ndarray:
        """One boolean row per sector list, one column per sector key (taxonomy order)."""
        return self._onehot(sector_lists) > 0

    def _onehot(self, sector_lists: Sequence[Sequence[str]]) -> np.ndarray:
        position = {key: i for i, key in enumerate(self.taxonomy.keys)}
        onehot = np.zeros((len(sector_lists), len(position)))
        for row, keys in enumerate(sector_lists):
            onehot[row, [position[k] for k in keys if k in position]] = 1.0
        return onehot


class LatentSemantics(TransformerMixin, BaseEstimator):
    """TruncatedSVD (LSA) of word TF-IDF that fits lists of any size.

    A short list cannot give `n_components` dimensions: the space shrinks to what the data
    supports, and to zero columns when that is fewer than two.
    """

    def __init__(self, n_components: int = 100, random_state: int = 0):
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, matrix: sp.spmatrix, y=None) -> LatentSemantics:
        """Fit the SVD on a TF-IDF matrix; keep only its projection (vocabulary x components).

        The projection is stored C-contiguous, so projecting one row reads it as it is: the
        SVD's own `transform` copies its `components_` (components x vocabulary) on every call.
        """
        supported = min(self.n_components, matrix.shape[1] - 1, matrix.shape[0] - 1)
        self.projection_ = np.zeros((matrix.shape[1], 0))
        if supported > 1:
            svd = TruncatedSVD(supported, random_state=self.random_state).fit(matrix)
            self.projection_ = np.ascontiguousarray(svd.components_.T)
        self.n_components_ = self.projection_.shape[1]
        return self

    def transform(self, matrix: sp.spmatrix) -> np.ndarray:
        """The latent coordinates of each row."""
        check_is_fitted(self, "n_components_")
        if self.n_components_ == 0:
            return np.zeros((matrix.shape[0], 0))
        return np.asarray(sp.csr_matrix(matrix) @ self.projection_)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """latent0, latent1, ..."""
        return np.array([f"latent{i}" for i in range(self.n_components_)], dtype=object)
