"""The model: ranking behaviour, filters, ad-hoc profiles and the artifact round trip."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kakehashi.artifact import ARTIFACT_FORMAT, load_model, save_model
from kakehashi.companies import Company
from kakehashi.errors import ArtifactError, UnknownCompanyError
from kakehashi.queries import Filters
from training.train import build_model


def ranked_ids(
    model, company_id: str, top_k: int = 20, filters: Filters | None = None
) -> list[str]:
    filters = filters or Filters()
    query = model.query_for(company_id)
    return [match.company.id for match in model.rank(query, top_k, filters)]


def refit(inputs, companies):
    return build_model(inputs).fit(companies, ())


def replace(inputs, company_id: str, **changes) -> list[Company]:
    return [
        dataclasses.replace(c, **changes) if c.id == company_id else c for c in inputs.companies
    ]


def test_rank_returns_only_the_other_country(model):
    assert all(i.startswith("il-") for i in ranked_ids(model, "jp-auto"))
    assert all(i.startswith("jp-") for i in ranked_ids(model, "il-lidar"))


def test_rank_orders_scores_descending_within_zero_and_one(model):
    scores = [c.score for c in model.rank(model.query_for("jp-pharma"), 20)]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)


def test_rank_is_deterministic(model):
    assert ranked_ids(model, "jp-health") == ranked_ids(model, "jp-health")


def test_rank_respects_top_k(model):
    assert len(ranked_ids(model, "jp-auto", top_k=3)) == 3


@pytest.mark.parametrize(
    ("query", "expected_first"),
    [("jp-auto", {"il-autocyber", "il-lidar"}), ("jp-pharma", {"il-parkinson"}), ("jp-bank", {"il-fraud"}),
     ("jp-elec", {"il-waveguide", "il-3d"}), ("jp-health", {"il-imaging", "il-monitor"})],
)  # fmt: skip
def test_rank_puts_the_obvious_partner_first(model, query, expected_first):
    assert ranked_ids(model, query)[0] in expected_first


def test_rank_filters_by_sector_any_of(model):
    ids = ranked_ids(model, "jp-auto", filters=Filters(sectors=("vr", "agrifood")))
    assert set(ids) == {"il-waveguide", "il-3d", "il-meat"}


def test_rank_filters_by_city_case_insensitively(model):
    assert set(ranked_ids(model, "jp-auto", filters=Filters(city="petah tikva"))) == {
        "il-fleet",
        "il-monitor",
    }


def test_rank_can_exclude_known_partners(model):
    ids = ranked_ids(model, "jp-auto", filters=Filters(exclude_known=True))
    assert "il-autocyber" not in ids and "il-lidar" not in ids and ids


def test_rank_can_exclude_named_firms_and_ignores_unknown_ids(model):
    first = ranked_ids(model, "jp-auto")[0]
    ids = ranked_ids(model, "jp-auto", filters=Filters(exclude_ids=frozenset({first, "nope"})))
    assert first not in ids and ids


def test_rank_unknown_company_raises(model):
    with pytest.raises(UnknownCompanyError):
        model.query_for("nope")


def test_rank_profile_of_ad_hoc_company(model):
    profile = Company(
        id="", name="X", country="JP", sectors=("cyber",), interests="fraud detection in banking"
    )
    query = model.query_for_profile(profile)
    assert model.rank(query, 1)[0].company.id == "il-fraud"


def test_rank_of_japanese_profile_finds_automotive_cyber(model):
    profile = Company(
        id="", name="試験", country="JP", sectors=(), description="自動車メーカー",
        interests="コネクテッドカーのサイバーセキュリティと侵入検知",
    )  # fmt: skip
    assert model.rank(model.query_for_profile(profile), 1)[0].company.id == "il-autocyber"


# Behavioural tests (Made-With-ML): invariance, directional expectations, minimum functionality.
@pytest.mark.parametrize("change", [{"name": "Renamed Holdings"}, {"city": "Sapporo"}])
def test_partners_invariant_to_name_and_city(inputs, model, change):
    changed = refit(inputs, replace(inputs, "jp-auto", **change))
    original = refit(inputs, inputs.companies)
    assert ranked_ids(changed, "jp-auto") == ranked_ids(original, "jp-auto")


def test_adding_the_partners_sector_raises_the_pair_score(inputs):
    before = refit(inputs, inputs.companies)
    after = refit(inputs, replace(inputs, "jp-bank", sectors=("fintech", "digital_health")))
    index = before.row_of_["il-monitor"]
    score = lambda m: m.score_all(m.query_for("jp-bank"))[index]  # noqa: E731
    assert score(after) > score(before)


def test_cyber_query_returns_cyber_firms_first(model):
    profile = Company(id="", name="Q", country="JP", sectors=("cyber",))
    top = [match.company for match in model.rank(model.query_for_profile(profile), 3)]
    assert all("cyber" in c.sectors for c in top)


def test_artifact_round_trip_keeps_rankings(tmp_path, model):
    path = tmp_path / "artifact.joblib"
    sha = save_model(model, path)
    loaded = load_model(path, sha)
    for company_id in (c.id for c in model.companies()):
        original = model.score_all(model.query_for(company_id))
        assert np.array_equal(loaded.score_all(loaded.query_for(company_id)), original)


def test_load_model_rejects_a_corrupted_artifact(tmp_path, model):
    path = tmp_path / "artifact.joblib"
    sha = save_model(model, path)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ArtifactError, match="checksum"):
        load_model(path, sha)
    with pytest.raises(ArtifactError, match="unreadable"):
        load_model(path)


def test_rank_with_diversity_keeps_the_best_first_and_spreads_the_rest(model):
    query = model.query_for("jp-ai")
    plain = model.rank(query, 5)
    diverse = model.rank(query, 5, diversity=0.7)
    assert diverse[0].company == plain[0].company
    assert len(diverse) == 5 and len({m.company.id for m in diverse}) == 5

    def redundancy(matches):
        rows = model.profiles_[[m.row for m in matches]]
        similarity = (rows @ rows.T).toarray()
        return (similarity.sum() - similarity.trace()) / (len(matches) * (len(matches) - 1))

    assert [m.company.id for m in diverse] != [m.company.id for m in plain]
    assert redundancy(diverse) < redundancy(plain)


@pytest.mark.parametrize("diversity", [-0.1, 1.5])
def test_rank_rejects_diversity_outside_zero_one(model, diversity):
    with pytest.raises(ValueError, match="diversity"):
        model.rank(model.query_for("jp-ai"), 5, diversity=diversity)


@pytest.mark.parametrize(
    "content",
    [
        "name,country,sectors\nA,JP,cyber\nB,IL,cyber\nC,IL,agrifood\n",  # only the required columns
        "name,country,sectors,description\nA,JP,cyber,the\nB,IL,cyber,and\nC,IL,agrifood,of\n",  # only stop words
    ],
)
def test_fit_on_a_list_without_usable_text_ranks_by_sectors(tmp_path, taxonomy, content):
    from kakehashi.company_list import load_companies
    from kakehashi.features import ProfileVectorizer
    from kakehashi.model import PartnerModel

    path = tmp_path / "l.csv"
    path.write_text(content, encoding="utf-8")
    model = PartnerModel(ProfileVectorizer(taxonomy=taxonomy)).fit(load_companies(path, taxonomy))
    assert ranked_ids(model, "a") == ["b", "c"]


@pytest.mark.parametrize("company_id", ["jp-auto", "il-fraud"])
def test_score_all_equals_the_weighted_sum_of_components_less_hub_penalties(model, company_id):
    query = model.query_for(company_id)
    rows = np.arange(len(model.companies()))
    parts = model.components(query, rows)
    weighted = sum(model.weights_[name] * values for name, values in parts.items())
    expected = np.clip(weighted - model.query_scale(query) * model.hub_penalties_, 0, 1)
    assert np.allclose(model.score_all(query), expected)


def test_load_model_refuses_another_artifact_format_and_says_retrain(tmp_path, model):
    import joblib

    path = tmp_path / "artifact.joblib"
    joblib.dump({"format": ARTIFACT_FORMAT - 1, "model": model}, path)
    with pytest.raises(ArtifactError, match=f"format {ARTIFACT_FORMAT - 1}.*retrain"):
        load_model(path)


def test_candidates_interests_count_in_the_score(inputs):
    """What the Israeli side seeks matters too: an Israeli firm seeking what the query is ranks higher."""
    twin = dataclasses.replace(
        inputs.companies[-1], id="il-seeker", name="Seeker", sectors=("agrifood",),
        description="Cultivated meat grown from animal cells.",
        interests="A carmaker building passenger vehicles and connected cars.",
    )  # fmt: skip
    plain = dataclasses.replace(twin, id="il-plain", name="Plain", interests="")
    model = refit(inputs, [*inputs.companies, twin, plain])
    query = model.query_for("jp-auto")
    scores = model.score_all(query)
    assert scores[model.row_of_["il-seeker"]] > scores[model.row_of_["il-plain"]]
    parts = model.components(
        query, np.array([model.row_of_["il-seeker"], model.row_of_["il-plain"]])
    )
    assert parts["interests"][0] > parts["interests"][1]


def test_fit_learns_weights_from_partnerships_when_asked(inputs, model):
    from kakehashi.scoring import DEFAULT_WEIGHTS

    assert model.weights_ == DEFAULT_WEIGHTS  # by default the defaults rank
    learned = build_model(inputs, learn=True).fit(inputs.companies, inputs.partnerships)
    assert learned.weights_ != pytest.approx(DEFAULT_WEIGHTS)
    assert sum(learned.weights_.values()) == pytest.approx(1.0)


def test_fit_with_given_weights_or_learn_off_keeps_them(inputs):
    from kakehashi.model import PartnerModel
    from kakehashi.scoring import DEFAULT_WEIGHTS

    vectorizer = build_model(inputs).vectorizer
    unlearned = PartnerModel(vectorizer, learn=False).fit(inputs.companies, inputs.partnerships)
    assert unlearned.weights_ == DEFAULT_WEIGHTS
    given = {**DEFAULT_WEIGHTS, "words": 0.5}
    fixed = PartnerModel(vectorizer, weights=given, learn=True)
    fixed.fit(inputs.companies, inputs.partnerships)
    assert fixed.weights_ == given


def test_model_follows_scikit_learn_conventions(inputs):
    from sklearn.base import clone

    from kakehashi.errors import NotFittedError

    unfitted = clone(build_model(inputs).set_params(random_state=3))
    assert unfitted.get_params()["random_state"] == 3
    assert not hasattr(unfitted, "weights_")
    with pytest.raises(NotFittedError):
        unfitted.company("jp-auto")
    assert unfitted.fit(inputs.companies) is unfitted


def test_rank_can_leave_out_the_querys_own_group(inputs):
    """A subsidiary (parent_id) is in its parent's group; exclude_group leaves the group out."""
    companies = replace(inputs, "il-lidar", parent_id="jp-auto")
    companies = [
        dataclasses.replace(c, parent_id="il-lidar") if c.id == "il-fleet" else c for c in companies
    ]
    model = refit(inputs, companies)
    assert {c.id for c in model.group("il-fleet")} == {"jp-auto", "il-lidar", "il-fleet"}
    assert {"il-lidar", "il-fleet"} <= set(ranked_ids(model, "jp-auto"))
    kept = ranked_ids(model, "jp-auto", filters=Filters(exclude_group=True))
    assert "il-lidar" not in kept and "il-fleet" not in kept and "il-autocyber" in kept
