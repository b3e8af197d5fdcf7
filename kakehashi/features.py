"""The fitted profile vectorizer: four views of a company, composed with a ColumnTransformer.

A company becomes one row of two columns, its sectors and its (glossary-expanded) text; the
ColumnTransformer turns the sector column into the sector view and the text column into the word,
character and latent (LSA) views, each L2-normalized, side by side in one sparse matrix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn import config_context
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import Normalizer
from sklearn.utils.validation import check_is_fitted

from kakehashi.companies import Company
from kakehashi.glossary import GlossaryEntry, compile_glossary, compile_terms, expand, sector_terms
from kakehashi.japanese import expand_japanese
from kakehashi.taxonomy import Taxonomy
from kakehashi.tokens import word_tokens
from kakehashi.view_encoders import LatentSemantics, SectorEncoder

VIEWS = ("sectors", "words", "chars", "latent")
# Vocabulary bounds: the most frequent terms are kept, so memory and the latent space's
# projection (latent_components x vocabulary floats) stop growing with the list. A list of a few
# thousand firms stays below them (the bundled list has about 20,000 word and bigram terms).
MAX_WORD_TERMS = 2**17
MAX_CHAR_TERMS = 2**17
# Companies the vocabularies, IDF weights and latent space are fitted on: a longer list fits them
# on a seeded sample of this many (`fitting_sample`) and transforms every company.
MAX_FIT_DOCUMENTS = 100_000
# Companies vectorized at once: the views' scratch (counts, weights, copies) is for a block only.
TRANSFORM_BLOCK = 2**15
TEXT_VIEWS = ("words", "chars", "latent")
SECTOR_COLUMN, TEXT_COLUMN = 0, 1


def profile_text(company: Company) -> str:
    """What a company is and does: description and tags."""
    return " ".join(part for part in (company.description, " ".join(company.tags)) if part)


def interest_text(company: Company) -> str:
    """What a company seeks in a partner."""
    return company.interests


def word_tfidf(min_df: int) -> TfidfVectorizer:
    """Stemmed word unigrams and bigrams, English stop words removed, sublinear term frequency,
    in at least `min_df` fitted documents (docs/model.md: 2 measured, not the default)."""
    return TfidfVectorizer(
        tokenizer=word_tokens, token_pattern=None, lowercase=False, ngram_range=(1, 2),
        sublinear_tf=True, max_features=MAX_WORD_TERMS, min_df=min_df,
    )  # fmt: skip


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
        related_weight: float = 0.0,
        latent_components: int = 100,
        char_ngrams: tuple[int, int] = (2, 4),
        sector_idf: bool = True,
        japanese_dictionary: bool = True,
        fit_documents: int = MAX_FIT_DOCUMENTS,
        random_state: int = 0,
        word_min_df: int = 1,
    ):
        self.taxonomy = taxonomy
        self.glossary = glossary
        self.related_weight = related_weight
        self.latent_components = latent_components
        self.char_ngrams = char_ngrams
        self.sector_idf = sector_idf
        self.japanese_dictionary = japanese_dictionary
        self.fit_documents = fit_documents
        self.random_state = random_state
        self.word_min_df = word_min_df

    def fit(self, companies: Sequence[Company], y=None) -> ProfileVectorizer:
        """Learn vocabularies, IDF weights and the latent space; one document per company (of a
        seeded sample of `fit_documents` companies, from a longer list)."""
        if self.taxonomy is None:
            raise ValueError("ProfileVectorizer needs a taxonomy")
        if not isinstance(self.fit_documents, int) or self.fit_documents < 1:
            raise ValueError(
                f"fit_documents must be a positive integer, not {self.fit_documents!r}"
            )
        self.glossary_pattern_ = compile_glossary(tuple(self.glossary))
        self.glossary_map_ = {e.ja: e.en for e in self.glossary}
        self.sector_terms_ = sector_terms(self.taxonomy, self.glossary)
        self.sector_pattern_ = compile_terms(self.sector_terms_)
        sample = fitting_sample(companies, self.fit_documents, self.random_state)
        documents = self._rows(sample, _listed_sectors, _everything_written)
        self.columns_ = _share_word_tfidf(self._fit_columns(documents))
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
                word_tfidf(self.word_min_df),
                LatentSemantics(self.latent_components, self.random_state),
                Normalizer(),
            )
        sectors = SectorEncoder(self.taxonomy, self.related_weight, self.sector_idf)
        return ColumnTransformer(
            [
                ("sectors", sectors, SECTOR_COLUMN),
                ("words", word_tfidf(self.word_min_df), TEXT_COLUMN),
                ("chars", chars, TEXT_COLUMN),
                ("latent", latent, TEXT_COLUMN),
            ],
            sparse_threshold=1.0,
        )

    def transform(self, companies: Sequence[Company]) -> sp.csr_matrix:
        """What each company is: its sectors and its description and tags."""
        check_is_fitted(self, "columns_")
        return self._transform(self._profile_rows(companies))

    def transform_interests(self, companies: Sequence[Company]) -> sp.csr_matrix:
        """What each company seeks, in the same columns as `transform`.

        Its sector block holds the sectors named in the interests (by the taxonomy's aliases or
        the glossary's terms), so 'seeks intrusion detection' points at the cyber sector.
        """
        check_is_fitted(self, "columns_")
        return self._transform(self._interest_rows(companies))

    def transform_both(self, companies: Sequence[Company]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """`transform` and `transform_interests` of the same companies, in one pass of the views:
        the same rows (each row's values do not depend on the rows beside it), at half the
        per-call cost of the views (scikit-learn's input checks: most of vectorizing one
        ad-hoc profile)."""
        check_is_fitted(self, "columns_")
        rows = np.vstack([self._profile_rows(companies), self._interest_rows(companies)])
        both = self._transform(rows)
        return both[: len(companies)], both[len(companies) :]

    def _transform(self, rows: np.ndarray) -> sp.csr_matrix:
        """`_transform_block` of each block of `TRANSFORM_BLOCK` rows, stacked: the same rows
        (each row's values do not depend on the rows beside it), a block's scratch at a time."""
        if rows.shape[0] <= TRANSFORM_BLOCK:
            return self._transform_block(rows)
        starts = range(0, rows.shape[0], TRANSFORM_BLOCK)
        blocks = [self._transform_block(rows[at : at + TRANSFORM_BLOCK]) for at in starts]
        return sp.csr_matrix(sp.vstack(blocks, format="csr"))

    def _transform_block(self, rows: np.ndarray) -> sp.csr_matrix:
        """The fitted transformers straight, side by side: ColumnTransformer.transform's columns
        and values, without its checks per call (perf-http), and with the latent space fed the
        words view's TF-IDF (one tokenizing and stemming of the text, not two). The steps'
        parameters were validated when they were fitted and text gives finite values, so
        scikit-learn's checks of both are skipped too (a third of vectorizing one profile)."""
        parts, words = [], None
        with config_context(skip_parameter_validation=True, assume_finite=True):
            for name, step, column in self.columns_.transformers_:
                if step == "drop":
                    continue
                latent_words = name == "latent" and step.steps[0][1] is self._words_view()
                if latent_words:  # the words view's TF-IDF again: reuse it
                    parts.append(Pipeline(step.steps[1:]).transform(words))
                    continue
                parts.append(step.transform(rows[:, column]))
                words = parts[-1] if name == "words" else words
        return sp.csr_matrix(sp.hstack([sp.csr_matrix(p) for p in parts], format="csr"))

    def _words_view(self) -> TfidfVectorizer:
        return self.columns_.named_transformers_["words"]

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

    def _profile_rows(self, companies: Sequence[Company]) -> np.ndarray:
        return self._rows(companies, _listed_sectors, profile_text)

    def _interest_rows(self, companies: Sequence[Company]) -> np.ndarray:
        return self._rows(
            companies, lambda _, expanded: self.sectors_named(expanded), interest_text
        )

    def _rows(
        self,
        companies: Sequence[Company],
        sectors: Callable[[Company, str], Sequence[str]],
        text: Callable[[Company], str],
    ) -> np.ndarray:
        """The two-column input of the views: sector tuples (of the company and its expanded
        text) and expanded texts."""
        rows = np.empty((len(companies), 2), dtype=object)
        for row, company in enumerate(companies):
            expanded = self.expand_text(text(company))
            rows[row, SECTOR_COLUMN] = tuple(sectors(company, expanded))
            rows[row, TEXT_COLUMN] = expanded
        return rows


def _share_word_tfidf(columns: ColumnTransformer) -> ColumnTransformer:
    """The fitted views, the latent pipeline's word TF-IDF replaced by the words view's own.

    Both are `word_tfidf(word_min_df)` fitted on the same text column, so they are equal
    (checked): sharing one keeps one vocabulary per model in memory and in the artifact, and lets
    one row's words view feed the latent space without tokenizing and stemming its text twice.
    """
    words = columns.named_transformers_["words"]
    latent = columns.named_transformers_["latent"]
    if latent == "drop":
        return columns
    name, twin = latent.steps[0]
    if twin.vocabulary_ == words.vocabulary_ and np.array_equal(twin.idf_, words.idf_):
        latent.steps[0] = (name, words)
    return columns


def fitting_sample(companies: Sequence[Company], size: int, seed: int) -> Sequence[Company]:
    """Every company, or from a list longer than `size` a seeded sample of `size` in list order:
    IDF weights and the latent space are estimated as well from the sample, and fitting on every
    one of a million companies passed 20 GB (docs/model.md)."""
    if len(companies) <= size:
        return companies
    rows = np.sort(np.random.default_rng(seed).choice(len(companies), size, replace=False))
    return [companies[row] for row in rows.tolist()]


def _listed_sectors(company: Company, expanded_text: str) -> tuple[str, ...]:
    """The sectors a company's list gives it (not those its text names)."""
    return company.sectors


def _everything_written(company: Company) -> str:
    """A company's profile and interests together: the document the vocabularies are fit on."""
    return " ".join(part for part in (profile_text(company), interest_text(company)) if part)
