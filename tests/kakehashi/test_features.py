"""The views of a company: sectors weighted by IDF and relations, words, characters, latent space."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sklearn.base import clone

from kakehashi import features
from kakehashi.companies import Company
from kakehashi.features import (
    VIEWS,
    LatentSemantics,
    ProfileVectorizer,
    SectorEncoder,
    fitting_sample,
)


def company(company_id: str, country: str, sectors: tuple[str, ...], text: str = "") -> Company:
    return Company(
        id=company_id, name=company_id, country=country, sectors=sectors, description=text
    )


@pytest.fixture
def vectorizer(taxonomy) -> ProfileVectorizer:
    return ProfileVectorizer(taxonomy=taxonomy)


def test_sector_encoder_weighs_a_rare_sector_above_a_common_one(taxonomy):
    lists = [("cyber",), ("cyber",), ("cyber",), ("cyber", "agrifood")]
    encoder = SectorEncoder(taxonomy).fit(lists)
    cyber, agrifood = taxonomy.keys.index("cyber"), taxonomy.keys.index("agrifood")
    assert encoder.idf_[agrifood] > encoder.idf_[cyber]
    row = encoder.transform([("cyber", "agrifood")]).toarray()[0]
    assert row[agrifood] > row[cyber]


def test_sector_encoder_without_idf_weighs_every_sector_alike(taxonomy):
    lists = [("cyber",), ("cyber",), ("cyber", "agrifood")]
    encoder = SectorEncoder(taxonomy, related_weight=0.0, idf=False).fit(lists)
    row = encoder.transform([("cyber", "agrifood")]).toarray()[0]
    assert row[taxonomy.keys.index("cyber")] == pytest.approx(row[taxonomy.keys.index("agrifood")])


def test_sector_encoder_gives_related_sectors_partial_credit(taxonomy):
    encoder = SectorEncoder(taxonomy, related_weight=0.3, idf=False).fit([("digital_health",)])
    row = encoder.transform([("digital_health",)]).toarray()[0]
    assert (
        0 < row[taxonomy.keys.index("life_sciences")] < row[taxonomy.keys.index("digital_health")]
    )
    unrelated = SectorEncoder(taxonomy, related_weight=0.0, idf=False).fit([("digital_health",)])
    assert (
        unrelated.transform([("digital_health",)]).toarray()[0][
            taxonomy.keys.index("life_sciences")
        ]
        == 0
    )


def test_by_default_a_related_sector_is_no_shared_sector(taxonomy):
    """Sector relations are off by default (docs/model.md, "Removed: sector relations")."""
    vectorizer = ProfileVectorizer(taxonomy=taxonomy).fit(
        [company("jp-a", "JP", ("digital_health",)), company("il-a", "IL", ("life_sciences",))]
    )
    sectors = vectorizer.blocks_["sectors"]
    health = vectorizer.transform([company("jp-b", "JP", ("digital_health",))])[:, sectors]
    assert health.toarray()[0][taxonomy.keys.index("life_sciences")] == 0


@pytest.mark.parametrize("related_weight", [-0.1, 1.0])
def test_sector_encoder_rejects_a_related_weight_outside_zero_one(taxonomy, related_weight):
    with pytest.raises(ValueError, match="related_weight"):
        SectorEncoder(taxonomy, related_weight=related_weight).fit([("cyber",)])


def test_shared_rare_sector_scores_above_shared_common_sector(inputs, taxonomy):
    """Sector IDF in the ranking: sharing agrifood (rare) says more than sharing cyber (common)."""
    vectorizer = ProfileVectorizer(taxonomy=taxonomy, related_weight=0.0)
    from kakehashi.model import PartnerModel

    extra = [
        company("jp-q", "JP", ("cyber", "agrifood")),
        company("il-common", "IL", ("cyber",)),
        company("il-rare", "IL", ("agrifood",)),
    ]
    model = PartnerModel(vectorizer, learn=False).fit([*inputs.companies, *extra])
    scores = model.score_all(model.query_for("jp-q"))
    assert scores[model.row_of_["il-rare"]] > scores[model.row_of_["il-common"]]


def test_vectorizer_blocks_cover_every_view_side_by_side(inputs, taxonomy):
    fitted = ProfileVectorizer(taxonomy=taxonomy, latent_components=5).fit(inputs.companies)
    matrix = fitted.transform(inputs.companies)
    assert list(fitted.blocks_) == list(VIEWS)
    assert fitted.blocks_["latent"].stop == matrix.shape[1]
    for view, columns in fitted.blocks_.items():
        block = matrix[:, columns]
        assert block.shape[1] > 0, view
        norms = np.sqrt(block.multiply(block).sum(axis=1)).A1
        assert np.allclose(norms[norms > 0], 1.0), view


def test_latent_view_links_texts_that_share_no_word_with_the_query(taxonomy):
    """LSA: 'lidar' and 'perception' co-occur, so a 'lidar' query finds a 'perception' profile."""
    corpus = [
        company("a", "IL", ("automotive",), "lidar perception sensors"),
        company("b", "IL", ("automotive",), "lidar perception cameras"),
        company("c", "IL", ("agrifood",), "irrigation farms water"),
        company("d", "IL", ("agrifood",), "irrigation water drip"),
        company("e", "IL", ("automotive",), "perception software"),
    ]
    fitted = ProfileVectorizer(taxonomy=taxonomy, latent_components=2).fit(corpus)
    latent = fitted.blocks_["latent"]
    query = fitted.transform([company("q", "JP", (), "lidar")])[:, latent]
    profiles = fitted.transform(corpus)[:, latent]
    similarity = (profiles @ query.T).toarray().ravel()
    assert similarity[4] > similarity[2]  # perception software beats irrigation


def test_latent_semantics_shrinks_to_what_a_short_list_supports():
    import scipy.sparse as sp

    tiny = sp.csr_matrix(np.eye(3))
    assert LatentSemantics(100).fit(tiny).n_components_ == 2
    assert LatentSemantics(100).fit(sp.csr_matrix(np.eye(2))).transform(tiny[:2]).shape == (2, 0)


def test_vectorizer_follows_scikit_learn_conventions(taxonomy):
    vectorizer = ProfileVectorizer(taxonomy=taxonomy, latent_components=7)
    assert clone(vectorizer).get_params()["latent_components"] == 7
    with pytest.raises(Exception, match="not fitted"):
        vectorizer.transform([company("a", "JP", ("cyber",))])


def test_interests_point_at_the_sectors_they_name(inputs, vectorizer):
    fitted = vectorizer.fit(inputs.companies)
    seeker = dataclasses.replace(inputs.companies[0], interests="cybersecurity for cars")
    sectors = fitted.transform_interests([seeker])[:, fitted.blocks_["sectors"]].toarray()[0]
    assert sectors[fitted.taxonomy.keys.index("cyber")] > 0


def test_vectorizer_without_latent_components_has_no_latent_columns(inputs, vectorizer):
    fitted = vectorizer.set_params(latent_components=0).fit(inputs.companies)
    latent = fitted.blocks_["latent"]
    assert latent.stop - latent.start == 0
    assert fitted.transform(inputs.companies).shape[1] == fitted.blocks_["chars"].stop


def test_word_view_matches_word_forms_through_stems(inputs, vectorizer):
    fitted = vectorizer.fit(inputs.companies)
    words = fitted.blocks_["words"]
    one = fitted.transform([company("a", "JP", (), "connected vehicle")])[:, words]
    other = fitted.transform([company("b", "IL", (), "connecting vehicles")])[:, words]
    assert (one @ other.T).toarray()[0, 0] > 0.9


def test_japanese_words_outside_the_glossary_reach_english_through_the_dictionary(inputs, taxonomy):
    with_dictionary = ProfileVectorizer(taxonomy=taxonomy).fit(inputs.companies)
    glossary_only = ProfileVectorizer(taxonomy=taxonomy, japanese_dictionary=False).fit(
        inputs.companies
    )
    assert "distribution" in with_dictionary.expand_text("物流の会社")
    assert glossary_only.expand_text("物流の会社") == "物流の会社"


def test_latent_semantics_projects_like_the_svd_and_one_row_like_many():
    import scipy.sparse as sp
    from sklearn.decomposition import TruncatedSVD

    matrix = sp.random(40, 60, density=0.2, format="csr", random_state=1)
    fitted = LatentSemantics(5).fit(matrix)
    svd = TruncatedSVD(5, random_state=0).fit(matrix)
    assert np.array_equal(fitted.transform(matrix), svd.transform(matrix))
    assert fitted.projection_.flags.c_contiguous
    assert np.array_equal(fitted.transform(matrix[3]), fitted.transform(matrix)[3:4])


@pytest.mark.parametrize("bound", ["MAX_WORD_TERMS", "MAX_CHAR_TERMS"])
def test_vectorizer_vocabulary_is_bounded(monkeypatch, inputs, taxonomy, bound):
    from kakehashi import features

    monkeypatch.setattr(features, bound, 50)
    fitted = ProfileVectorizer(taxonomy=taxonomy).fit(inputs.companies)
    view = {"MAX_WORD_TERMS": "words", "MAX_CHAR_TERMS": "chars"}[bound]
    block = fitted.blocks_[view]
    assert block.stop - block.start == 50
    if view == "words":
        assert fitted.columns_.named_transformers_["latent"][1].projection_.shape[0] == 50


def test_vectorizer_latent_space_reads_the_words_views_own_tfidf(inputs, vectorizer):
    fitted = vectorizer.fit(inputs.companies)
    words = fitted.columns_.named_transformers_["words"]
    assert fitted.columns_.named_transformers_["latent"].steps[0][1] is words
    batch = fitted.transform(inputs.companies)
    for row, company in enumerate(inputs.companies[:3]):
        one = fitted.transform([company])
        assert (one != batch[row]).nnz == 0, company.id


def test_profile_and_interests_in_one_pass_equal_each_alone(inputs, vectorizer):
    fitted = vectorizer.fit(inputs.companies)
    for company in inputs.companies:
        profile, interests = fitted.transform_both([company])
        assert (profile != fitted.transform([company])).nnz == 0, company.id
        assert (interests != fitted.transform_interests([company])).nnz == 0, company.id


def test_an_ad_hoc_profile_runs_the_views_once(model, monkeypatch):
    passes = []
    views = type(model.vectorizer_)._transform
    monkeypatch.setattr(
        type(model.vectorizer_),
        "_transform",
        lambda self, rows: passes.append(1) or views(self, rows),
    )
    query = model.query_for_profile(model.company("jp-auto"))
    assert passes == [1]
    assert query.interests.nnz  # the interests row came out of the same pass


def test_a_list_longer_than_fit_documents_fits_the_views_on_a_seeded_sample(inputs, taxonomy):
    companies = sorted(inputs.companies, key=lambda c: c.id)
    sample = fitting_sample(companies, 12, seed=0)
    assert len(sample) == 12 and len(set(sample)) == 12
    assert sorted(sample, key=lambda c: c.id) == list(sample)  # in list order
    assert fitting_sample(companies, 12, seed=0) == sample  # seeded
    on_sample = ProfileVectorizer(taxonomy=taxonomy, fit_documents=12).fit(companies)
    on_those = ProfileVectorizer(taxonomy=taxonomy).fit(sample)
    for view in ("words", "chars"):
        fitted = on_sample.columns_.named_transformers_[view]
        assert fitted.vocabulary_ == on_those.columns_.named_transformers_[view].vocabulary_
        assert np.array_equal(fitted.idf_, on_those.columns_.named_transformers_[view].idf_)
    assert on_sample.transform(companies).shape[0] == len(companies)  # every company transformed
    whole = ProfileVectorizer(taxonomy=taxonomy).fit(companies)
    assert whole.word_features().size > on_sample.word_features().size


def test_a_list_up_to_fit_documents_is_fitted_whole(inputs):
    companies = tuple(inputs.companies)
    assert fitting_sample(companies, len(companies), seed=0) is companies


@pytest.mark.parametrize("bad", [0, -1, 2.5, "many"])
def test_fit_documents_must_be_a_positive_integer(taxonomy, bad, inputs):
    with pytest.raises(ValueError, match="fit_documents"):
        ProfileVectorizer(taxonomy=taxonomy, fit_documents=bad).fit(inputs.companies)


def test_a_long_list_is_transformed_block_by_block_into_the_same_rows(
    inputs, taxonomy, monkeypatch
):
    companies = sorted(inputs.companies, key=lambda c: c.id)
    fitted = ProfileVectorizer(taxonomy=taxonomy).fit(companies)
    whole = fitted.transform(companies), fitted.transform_interests(companies)
    monkeypatch.setattr(features, "TRANSFORM_BLOCK", 5)
    blocked = fitted.transform(companies), fitted.transform_interests(companies)
    for one, other in zip(whole, blocked, strict=True):
        assert one.shape[0] == len(companies)
        for part in ("data", "indices", "indptr"):
            assert np.array_equal(getattr(one, part), getattr(other, part))


def test_word_min_df_keeps_only_the_words_of_that_many_firms(taxonomy):
    """By default a word of one firm's text is a column (an ad-hoc query naming it finds that
    firm); with `word_min_df=2` it is not (docs/model.md, "words of one document")."""
    firms = [
        company("jp-a", "JP", ("digital_health",), "home sleep apnea tests"),
        company("il-a", "IL", ("digital_health",), "sleep apnea WatchPAT wearable"),
    ]
    every_word = set(ProfileVectorizer(taxonomy=taxonomy).fit(firms).word_features())
    assert {"sleep", "apnea", "watchpat", "wearabl"} <= every_word
    shared = set(ProfileVectorizer(taxonomy=taxonomy, word_min_df=2).fit(firms).word_features())
    assert {"sleep", "apnea"} <= shared
    assert not {"watchpat", "wearabl", "home", "test"} & shared


def test_words_no_other_firm_uses_lower_a_firms_match_unless_min_df_drops_them(taxonomy):
    """Two firms writing the same shared words score alike with a third when words of one firm
    are dropped; kept (the default), the wordier one scores lower."""
    firms = [
        company("jp-a", "JP", ("cyber",), "industrial control security"),
        company("il-a", "IL", ("cyber",), "industrial control security"),
        company("il-b", "IL", ("cyber",), "industrial control security quantum lattice origami"),
    ]
    shared = ProfileVectorizer(taxonomy=taxonomy, latent_components=0, word_min_df=2).fit(firms)
    rows = shared.transform(firms)[:, shared.blocks_["words"]].toarray()
    assert rows[0] @ rows[1] == pytest.approx(rows[0] @ rows[2])
    every_word = ProfileVectorizer(taxonomy=taxonomy, latent_components=0).fit(firms)
    rows = every_word.transform(firms)[:, every_word.blocks_["words"]].toarray()
    assert rows[0] @ rows[2] < rows[0] @ rows[1] - 0.1
