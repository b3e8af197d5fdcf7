"""What a retrain changed: entered and left partners per firm, and the summary over all firms."""

from __future__ import annotations

import dataclasses

import pytest

from kakehashi import diff
from kakehashi.errors import UnknownCompanyError
from kakehashi.model import PartnerModel
from training.train import Inputs, build_model


@pytest.fixture(scope="module")
def changed(inputs: Inputs) -> PartnerModel:
    """The fixture model refitted without one Israeli firm and one Japanese firm re-described."""
    dropped = next(c for c in inputs.companies if c.country == "IL")
    kept = []
    for company in inputs.companies:
        if company.id == dropped.id:
            continue
        if company.id == "jp-auto":
            company = dataclasses.replace(
                company,
                sectors=("agrifood",),
                description="Dairy cooperative producing milk and cheese.",
                interests="precision irrigation and livestock monitoring",
            )
        kept.append(company)
    partnerships = [
        p for p in inputs.partnerships if dropped.id not in (p.japanese_id, p.israeli_id)
    ]
    return build_model(inputs).fit(kept, partnerships)


def test_diff_same_model_changes_nothing(model: PartnerModel):
    summary = diff.summarize(model, model, k=5)
    assert summary.firms_compared == len(model.companies())
    assert (summary.firms_changed, summary.mean_jaccard, summary.mean_overlap) == (0, 1.0, 5.0)
    assert summary.most_changed == ()
    assert (summary.only_in_a, summary.only_in_b) == ((), ())


def test_diff_firm_lists_entered_and_left_partners(model: PartnerModel, changed: PartnerModel):
    found = diff.firm_diff(model, changed, "jp-auto", k=5)
    assert found.before == diff.top_ids(model, "jp-auto", 5)
    assert found.after == diff.top_ids(changed, "jp-auto", 5)
    assert found.changed
    assert set(found.entered) == set(found.after) - set(found.before)
    assert set(found.left) == set(found.before) - set(found.after)
    assert found.overlap == len(set(found.before) & set(found.after))
    assert found.jaccard < 1.0
    assert found.as_dict()["entered"] == list(found.entered)


def test_diff_summary_counts_changes_and_missing_firms(model: PartnerModel, changed: PartnerModel):
    summary = diff.summarize(model, changed, k=5, most=3)
    dropped = {c.id for c in model.companies()} - {c.id for c in changed.companies()}
    assert summary.only_in_a == tuple(sorted(dropped)) and summary.only_in_b == ()
    assert summary.firms_compared == len(changed.companies())
    assert 1 <= summary.firms_changed <= summary.firms_compared
    assert "jp-auto" in [
        firm.company_id for firm in diff.summarize(model, changed, 5, 50).most_changed
    ]
    assert len(summary.most_changed) <= 3
    jaccards = [firm.jaccard for firm in summary.most_changed]
    assert jaccards == sorted(jaccards)
    assert 0.0 < summary.mean_jaccard < 1.0
    data = summary.as_dict()
    assert data["only_in_a"] == {"count": len(dropped), "ids": sorted(dropped)}


def test_diff_firm_missing_from_one_version_is_reported(model: PartnerModel, changed: PartnerModel):
    (dropped,) = {c.id for c in model.companies()} - {c.id for c in changed.companies()}
    found = diff.firm_diff(model, changed, dropped, k=3)
    assert (found.in_a, found.in_b, found.after) == (True, False, ())
    assert len(found.left) == 3 and found.entered == ()


def test_diff_unknown_firm_is_an_error(model: PartnerModel, changed: PartnerModel):
    with pytest.raises(UnknownCompanyError):
        diff.firm_diff(model, changed, "no-such-firm")


@pytest.mark.parametrize(
    ("before", "after", "overlap", "jaccard"),
    [
        ((), (), 0, 1.0),
        (("a", "b"), ("b", "c"), 1, 1 / 3),
        (("a",), ("a",), 1, 1.0),
        (("a",), (), 0, 0.0),
    ],
)
def test_diff_overlap_and_jaccard(before, after, overlap, jaccard):
    found = diff.FirmDiff("x", "X", True, True, before, after)
    assert (found.overlap, found.jaccard) == (overlap, pytest.approx(jaccard))
