"""The fitted profile vectorizer: several views of a company, stacked into one sparse matrix."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from kakehashi.companies import Company
from kakehashi.glossary import GlossaryEntry, compile_glossary, compile_terms, expand, sector_terms
from kakehashi.taxonomy import Taxonomy

VIEWS = ("sectors", "words", "chars", "latent")
TEXT_VIEWS = ("words", "chars", "latent")


def profile_text(company: Company) -> str:
    """What a company is and does: description and tags."""
    return " ".join(part for part in (company.description, " ".join(company.tags)) if part)


def interest_text(company: Company) -> str:
    """What a company seeks in a partner."""
    return company.interests


class ProfileVectorizer(TransformerMixin, BaseEstimator):
    """Turn companies into row-normalized blocks: sectors, word TF-IDF, char TF-IDF, latent (LSA).

    `transform` describes what a company is; `transform_interests` puts what it seeks into the
    same text blocks (its sector block stays empty), so one dot product compares the two.
    """

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        glossary: tuple[GlossaryEntry, ...] = (),
        related_weight: float = 0.3,
        latent_components: int = 100,
        char_ngrams: tuple[int, int] = (2, 4),
        sector_idf: bool = True,
        random_state: int = 0,
    ):
        self.taxonomy = taxonomy
        self.glossary = glossary
        self.related_weight = related_weight
        self.latent_components = latent_components
        self.char_ngrams = char_ngrams
        self.sector_idf = sector_idf
        self.random_state = random_state

    def fit(self, companies: Sequence[Company], y=None) -> ProfileVectorizer:
        """Learn vocabularies, IDF weights and the latent space from the companies' texts."""
        if self.taxonomy is None:
            raise ValueError("ProfileVectorizer needs a taxonomy")
        if not 0 <= self.related_weight < 1:
            raise ValueError("related_weight must be in [0, 1)")
        self.sector_keys_ = self.taxonomy.keys
        self.relatedness_ = self.taxonomy.relatedness_matrix(self.related_weight)
        self.sector_idf_ = np.ones(len(self.sector_keys_))
        if self.sector_idf:
            self.sector_idf_ = self._sector_idf(companies)
        self.glossary_pattern_ = compile_glossary(tuple(self.glossary))
        self.glossary_map_ = {e.ja: e.en for e in self.glossary}
        self.sector_terms_ = sector_terms(self.taxonomy, self.glossary)
        self.sector_pattern_ = compile_terms(self.sector_terms_)
        texts = self._texts(companies, profile_text) + self._texts(companies, interest_text)
        corpus = self._fit_text_views([t for t in texts if t])
        words = self.words_.transform(corpus)
        n_latent = min(self.latent_components, words.shape[1] - 1, words.shape[0] - 1)
        self.svd_ = (
            TruncatedSVD(n_latent, random_state=self.random_state).fit(words)
            if n_latent > 1
            else None
        )
        self.word_names_ = self.words_.get_feature_names_out()
        self.blocks_ = self._block_slices()
        return self

    def _fit_text_views(self, corpus: list[str]) -> list[str]:
        """Fit the word and character vectorizers; return the corpus they were fitted on.

        A list with little or no free text (only the required columns, or only stop words)
        gives no vocabulary: then the sectors' labels and aliases are added to the corpus.
        """
        sector_documents = [" ".join((s.label, *s.aliases)) for s in self.taxonomy.sectors]
        for candidate in (corpus, corpus + sector_documents):
            try:
                self.words_ = TfidfVectorizer(
                    stop_words="english", ngram_range=(1, 2), sublinear_tf=True, min_df=1
                ).fit(candidate)
                self.chars_ = TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=tuple(self.char_ngrams),
                    sublinear_tf=True,
                    min_df=2,
                ).fit(candidate)
                return candidate
            except ValueError:  # scikit-learn's "empty vocabulary" / "max_df < min_df"
                continue
        raise ValueError("no vocabulary even from the taxonomy's labels")

    def transform(self, companies: Sequence[Company]) -> sp.csr_matrix:
        """What each company is: [sectors | words | chars | latent], each block L2-normalized."""
        check_is_fitted(self, "blocks_")
        texts = self._texts(companies, profile_text)
        return sp.hstack([self._sector_block(companies), *self._text_blocks(texts)], format="csr")

    def transform_interests(self, companies: Sequence[Company]) -> sp.csr_matrix:
        """What each company seeks, in the same columns as `transform`.

        Its sector block holds the sectors named in the interests (by the taxonomy's aliases or
        the glossary's terms), so 'seeks intrusion detection' points at the cyber sector.
        """
        check_is_fitted(self, "blocks_")
        texts = self._texts(companies, interest_text)
        sought = [self.sectors_named(t) for t in texts]
        return sp.hstack([self._sector_rows(sought), *self._text_blocks(texts)], format="csr")

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
        check_is_fitted(self, "blocks_")
        return self.word_names_

    def expand_text(self, text: str) -> str:
        """The text with the English equivalents of its glossary terms appended."""
        check_is_fitted(self, "glossary_map_")
        return expand(text, self.glossary_pattern_, self.glossary_map_)

    def _texts(self, companies: Sequence[Company], field) -> list[str]:
        return [self.expand_text(field(c)) for c in companies]

    def _sector_block(self, companies: Sequence[Company]) -> sp.csr_matrix:
        return self._sector_rows([c.sectors for c in companies])

    def _sector_rows(self, sector_lists: Sequence[Sequence[str]]) -> sp.csr_matrix:
        position = {key: i for i, key in enumerate(self.sector_keys_)}
        onehot = np.zeros((len(sector_lists), len(position)))
        for row, keys in enumerate(sector_lists):
            for key in keys:
                if key in position:
                    onehot[row, position[key]] = 1.0
        return sp.csr_matrix(normalize((onehot @ self.relatedness_) * self.sector_idf_))

    def _sector_idf(self, companies: Sequence[Company]) -> np.ndarray:
        """Smoothed IDF of each sector: a shared rare sector says more than a shared common one."""
        frequency = np.array(
            [sum(key in c.sectors for c in companies) for key in self.sector_keys_]
        )
        return np.log((1 + len(companies)) / (1 + frequency)) + 1

    def _text_blocks(self, texts: list[str]) -> list[sp.csr_matrix]:
        words = self.words_.transform(texts)
        chars = self.chars_.transform(texts)
        blocks = [normalize(words), normalize(chars)]
        if self.svd_ is not None:
            blocks.append(sp.csr_matrix(normalize(self.svd_.transform(words))))
        else:
            blocks.append(sp.csr_matrix((len(texts), 0)))
        return blocks

    def _block_slices(self) -> dict[str, slice]:
        widths = [
            len(self.sector_keys_),
            len(self.words_.vocabulary_),
            len(self.chars_.vocabulary_),
            self.svd_.n_components if self.svd_ is not None else 0,
        ]
        edges = np.cumsum([0, *widths])
        return {
            view: slice(int(a), int(b))
            for view, a, b in zip(VIEWS, edges[:-1], edges[1:], strict=True)
        }
