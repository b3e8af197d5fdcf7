"""The fitted profile vectorizer: four views of a company, composed with a ColumnTransformer.

A company becomes one row of two columns, its sectors and its (glossary-expanded) text; the
ColumnTransformer turns the sector column into the sector view and the text column into the word,
character and latent (LSA) views, each L2-normalized, side by side in one sparse matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer, normalize
from sklearn.utils.validation import check_is_fitted

from kakehashi.companies import Company
from kakehashi.glossary import GlossaryEntry, compile_glossary, compile_terms, expand, sector_terms
from kakehashi.japanese import expand_japanese
from kakehashi.taxonomy import Taxonomy
from kakehashi.tokens import word_tokens

VIEWS = ("sectors", "words", "chars", "latent")
# Vocabulary bounds: the most frequent terms are kept, so memory and the latent space's
# projection (latent_components x vocabulary floats) stop growing with the list. A list of a few
# thousand firms stays below them (the bundled list has about 20,000 word and bigram terms).
MAX_WORD_TERMS = 2**17
MAX_CHAR_TERMS = 2**17
TEXT_VIEWS = ("words", "chars", "latent")
SECTOR_COLUMN, TEXT_COLUMN = 0, 1


def profile_text(company: Company) -> str:
    """What a company is and does: description and tags."""
    return " ".join(part for part in (company.description, " ".join(company.tags)) if part)


def interest_text(company: Company) -> str:
    """What a company seeks in a partner."""
    return company.interests


def word_tfidf() -> TfidfVectorizer:
    """Stemmed word unigrams and bigrams, English stop words removed, sublinear term frequency."""
    return TfidfVectorizer(
        tokenizer=word_tokens, token_pattern=None, lowercase=False, ngram_range=(1, 2),
        sublinear_tf=True, max_features=MAX_WORD_TERMS,
    )  # fmt: skip


class SectorEncoder(TransformerMixin, BaseEstimator):
    """Sector lists to L2-normalized rows: one-hot, spread to related sectors, weighted by IDF."""

    def __init__(
        self, taxonomy: Taxonomy | None = None, related_weight: float = 0.3, idf: bool = True
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


class ProfileVectorizer(TransformerMixin, BaseEstimator):
    """Companies to [sectors | words | chars | latent] rows, each block L2-normalized.

    `transform` describes what a company is; `transform_interests` puts what it seeks into the
    same columns (its sector block holds the sectors its interests name), so one dot product
    compares the two.
    """

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        glossary: tuple[GlossaryEntry, ...] = (),
        related_weight: float = 0.3,
        latent_components: int = 100,
        char_ngrams: tuple[int, int] = (2, 4),
        sector_idf: bool = True,
        japanese_dictionary: bool = True,
        random_state: int = 0,
    ):
        self.taxonomy = taxonomy
        self.glossary = glossary
        self.related_weight = related_weight
        self.latent_components = latent_components
        self.char_ngrams = char_ngrams
        self.sector_idf = sector_idf
        self.japanese_dictionary = japanese_dictionary
        self.random_state = random_state

    def fit(self, companies: Sequence[Company], y=None) -> ProfileVectorizer:
        """Learn vocabularies, IDF weights and the latent space; one document per company."""
        if self.taxonomy is None:
            raise ValueError("ProfileVectorizer needs a taxonomy")
        self.glossary_pattern_ = compile_glossary(tuple(self.glossary))
        self.glossary_map_ = {e.ja: e.en for e in self.glossary}
        self.sector_terms_ = sector_terms(self.taxonomy, self.glossary)
        self.sector_pattern_ = compile_terms(self.sector_terms_)
        documents = self._rows(companies, lambda c: c.sectors, _everything_written)
        self.columns_ = self._fit_columns(documents)
        self.blocks_ = {view: self.columns_.output_indices_[view] for view in VIEWS}
        self.word_names_ = self.columns_.named_transformers_["words"].get_feature_names_out()
        return self

    def _fit_columns(self, documents: np.ndarray) -> ColumnTransformer:
        """Fit the views; a list with no usable text learns its vocabulary from the taxonomy.

        Only the required columns, or only stop words, give no vocabulary: then one document
        per sector (its label and aliases) joins the corpus.
        """
        sector_documents = np.array(
            [[(s.key,), " ".join((s.label, *s.aliases))] for s in self.taxonomy.sectors],
            dtype=object,
        )
        for corpus in (documents, np.vstack([documents, sector_documents])):
            try:
                return self._column_transformer().fit(corpus)
            except ValueError:  # scikit-learn's "empty vocabulary" / "max_df < min_df"
                continue
        raise ValueError("no vocabulary even from the taxonomy's labels")

    def _column_transformer(self) -> ColumnTransformer:
        chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=tuple(self.char_ngrams),
            sublinear_tf=True,
            min_df=2,
            max_features=MAX_CHAR_TERMS,
        )
        latent = "drop"  # no latent view: no columns (and no second word TF-IDF to fit)
        if self.latent_components:
            latent = make_pipeline(
                word_tfidf(),
                LatentSemantics(self.latent_components, self.random_state),
                Normalizer(),
            )
        sectors = SectorEncoder(self.taxonomy, self.related_weight, self.sector_idf)
        return ColumnTransformer(
            [
                ("sectors", sectors, SECTOR_COLUMN),
                ("words", word_tfidf(), TEXT_COLUMN),
                ("chars", chars, TEXT_COLUMN),
                ("latent", latent, TEXT_COLUMN),
            ],
            sparse_threshold=1.0,
        )

    def transform(self, companies: Sequence[Company]) -> sp.csr_matrix:
        """What each company is: its sectors and its description and tags."""
        check_is_fitted(self, "columns_")
        return self._transform(self._rows(companies, lambda c: c.sectors, profile_text))

    def transform_interests(self, companies: Sequence[Company]) -> sp.csr_matrix:
        """What each company seeks, in the same columns as `transform`.

        Its sector block holds the sectors named in the interests (by the taxonomy's aliases or
        the glossary's terms), so 'seeks intrusion detection' points at the cyber sector.
        """
        check_is_fitted(self, "columns_")
        named = lambda c: self.sectors_named(self.expand_text(c.interests))  # noqa: E731
        return self._transform(self._rows(companies, named, interest_text))

    def _transform(self, rows: np.ndarray) -> sp.csr_matrix:
        if len(rows) != 1:
            return sp.csr_matrix(self.columns_.transform(rows))
        # One row (an ad-hoc profile): the fitted transformers straight, same columns and values;
        # ColumnTransformer's checks per call cost more than the transformers (perf-http).
        views = self.columns_.transformers_
        parts = [step.transform(rows[:, column]) for _, step, column in views if step != "drop"]
        return sp.hstack([sp.csr_matrix(p) for p in parts], format="csr")

    def sector_memberships(self, companies: Sequence[Company]) -> np.ndarray:
        """Which sectors each company is in: one boolean column per sector key."""
        check_is_fitted(self, "columns_")
        encoder = self.columns_.named_transformers_["sectors"]
        return encoder.memberships([c.sectors for c in companies])

    def sectors_named(self, text: str) -> tuple[str, ...]:
        """Sector keys whose terms occur in a text, in order of first mention."""
        check_is_fitted(self, "sector_terms_")
        if self.sector_pattern_ is None or not text:
            return ()
        found = (
            self.sector_terms_[m.casefold()] for m in self.sector_pattern_.findall(text.casefold())
        )
        return tuple(dict.fromkeys(found))

    def word_features(self) -> np.ndarray:
        """Names of the columns of the words block."""
        check_is_fitted(self, "columns_")
        return self.word_names_

    def expand_text(self, text: str, separator: str = " ") -> str:
        """The text with the English of its Japanese appended: the glossary's terms, then (with
        `japanese_dictionary`) the dictionary English of the other Japanese words."""
        check_is_fitted(self, "glossary_map_")
        if self.japanese_dictionary:
            return expand_japanese(text, self.glossary_pattern_, self.glossary_map_, separator)
        return expand(text, self.glossary_pattern_, self.glossary_map_, separator)

    def _rows(
        self,
        companies: Sequence[Company],
        sectors: Callable[[Company], Sequence[str]],
        text: Callable[[Company], str],
    ) -> np.ndarray:
        """The two-column input of the ColumnTransformer: sector tuples and expanded texts."""
        rows = np.empty((len(companies), 2), dtype=object)
        for row, company in enumerate(companies):
            rows[row, SECTOR_COLUMN] = tuple(sectors(company))
            rows[row, TEXT_COLUMN] = self.expand_text(text(company))
        return rows


def _everything_written(company: Company) -> str:
    """A company's profile and interests together: the document the vocabularies are fit on."""
    return " ".join(part for part in (profile_text(company), interest_text(company)) if part)
