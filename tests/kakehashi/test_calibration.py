"""Hubness correction and strength labels: a broad profile no longer tops every list."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kakehashi.calibration import (
    WEAK,
    hub_penalties,
    hubness,
    query_scales,
    strength,
    strength_cuts,
)
from kakehashi.companies import Company
from training.train import build_model


def test_hubness_is_the_mean_of_each_firms_best_scores_with_the_other_country():
    # rows: sampled queries (two JP, one IL); columns: firms (IL, IL, JP)
    scores = np.array([[0.9, 0.1, 0.0], [0.7, 0.3, 0.0], [0.0, 0.0, 0.4]])
    found = hubness(scores, np.array(["JP", "JP", "IL"]), np.array(["IL", "IL", "JP"]))
    assert found == pytest.approx([0.8, 0.2, 0.4])


def test_hub_penalties_are_centred_on_each_countrys_median():
    hubs = np.array([0.9, 0.5, 0.1, 0.3, 0.3])
    countries = np.array(["IL", "IL", "IL", "JP", "JP"])
    assert hub_penalties(hubs, countries, 1.0) == pytest.approx([0.4, 0.0, -0.4, 0.0, 0.0])
    assert hub_penalties(hubs, countries, 0.5) == pytest.approx([0.2, 0.0, -0.2, 0.0, 0.0])


def test_a_query_takes_the_hub_penalties_in_proportion_to_its_own_hubness_at_most_in_full():
    hubs = np.array([0.1, 0.2, 0.4, 0.3, 0.0, 0.0])
    countries = np.array(["JP", "JP", "JP", "IL", "IL", "IL"])
    # JP median 0.2: half, full, full (capped); IL median 0: no scaling
    assert query_scales(hubs, countries) == pytest.approx([0.5, 1.0, 1.0, 1.0, 1.0, 1.0])


def test_an_ad_hoc_profile_takes_the_share_of_the_firm_it_copies(model):
    for company_id in ("jp-auto", "il-fraud"):
        known = model.query_for(company_id)
        copied = model.query_for_profile(dataclasses.replace(known.company, id=""))
        assert model.query_scale(copied) == pytest.approx(model.query_scale(known), abs=1e-9)
        assert model.query_scale(copied) == pytest.approx(
            float(model.query_scales_[known.row]), abs=1e-9
        )


def test_a_sectors_only_profile_takes_a_small_share_of_the_hub_penalties(model):
    profile = Company(id="", name="Q", country="JP", sectors=("cyber",))
    assert model.query_scale(model.query_for_profile(profile)) < 1.0


@pytest.mark.parametrize(
    ("score", "expected"), [(0.995, "strong"), (0.991, "strong"), (0.97, "good"), (0.5, WEAK)]
)
def test_strength_labels_follow_the_percentiles_of_all_pair_scores(score, expected):
    cuts = strength_cuts(np.linspace(0, 1, 10001))
    assert cuts == pytest.approx({"strong": 0.99, "good": 0.95})
    assert strength(score, cuts) == expected


def hub_list(inputs):
    """The fixture list plus an Israeli investor whose profile touches every Japanese firm's needs."""
    everything = " ".join(c.interests for c in inputs.companies if c.country == "JP")
    hub = dataclasses.replace(
        inputs.companies[-1], id="il-hub", name="Broad Ventures", description=everything,
        sectors=tuple(sorted({s for c in inputs.companies for s in c.sectors})), tags=(),
    )  # fmt: skip
    return [*inputs.companies, hub]


def rank_of(model, company_id: str, candidate_id: str) -> int:
    ranked = [m.company.id for m in model.rank(model.query_for(company_id), 100)]
    return ranked.index(candidate_id) + 1


def test_hub_correction_keeps_a_broad_profile_from_topping_every_list(inputs):
    companies = hub_list(inputs)
    plain = build_model(inputs).set_params(hub_weight=0.0, learn=False).fit(companies)
    corrected = build_model(inputs).set_params(hub_weight=1.0, learn=False).fit(companies)
    japanese = [c.id for c in companies if c.country == "JP"]
    plain_ranks = [rank_of(plain, j, "il-hub") for j in japanese]
    corrected_ranks = [rank_of(corrected, j, "il-hub") for j in japanese]
    assert max(plain_ranks) <= 3  # without the correction it is in everyone's top 3
    assert all(c >= p for c, p in zip(corrected_ranks, plain_ranks, strict=True))
    assert sum(rank <= 3 for rank in corrected_ranks) < len(japanese) / 2  # with it, in few
    assert corrected.hub_penalties_[corrected.row_of_["il-hub"]] > 0


def test_matches_carry_their_strength_and_hub_adjustment(model):
    query = model.query_for("jp-auto")
    matches = model.rank(query, 16)
    assert {m.strength for m in matches} <= {"strong", "good", WEAK}
    assert matches[0].strength in {"strong", "good"} and matches[-1].strength == WEAK
    share = model.query_scale(query)
    assert all(m.hub_adjustment == -share * model.hub_penalties_[m.row] for m in matches)
