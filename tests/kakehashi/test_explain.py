"""Explanations: component contributions add up, and summaries use only words from the profiles."""

from __future__ import annotations

import re

import pytest

from kakehashi.companies import Company

QUERIES = ["jp-auto", "jp-pharma", "jp-bank", "il-fraud", "il-3d"]


def explained(model, company_id: str, top_k: int = 5):
    query = model.query_for(company_id)
    return [(m, model.explain(query, m)) for m in model.rank(query, top_k)]


@pytest.mark.parametrize("company_id", QUERIES)
def test_explain_contributions_add_up_to_the_score(model, company_id):
    for candidate, explanation in explained(model, company_id):
        assert sum(explanation.contributions.values()) == pytest.approx(candidate.score, abs=1e-3)


@pytest.mark.parametrize("company_id", QUERIES)
def test_explain_summary_words_come_from_profiles_or_taxonomy(model, taxonomy, company_id):
    glue = {"both", "work", "in", "and", "seeks", "which", "works", "on", "are", "related", "sectors",
            "profiles", "mention", "weak", "match", "no", "shared", "or", "terms", "fields"}  # fmt: skip
    for candidate, explanation in explained(model, company_id):
        other = candidate.company
        mine = model.company(company_id)
        source = " ".join(
            [
                c.name + " " + c.description + " " + c.interests + " " + " ".join(c.tags)
                for c in (mine, other)
            ]
            + [s.name_in_text for s in taxonomy.sectors]
        ).casefold()
        words = set(re.findall(r"\w+", explanation.summary.casefold())) - glue
        assert words <= set(re.findall(r"\w+", source)), explanation.summary


def test_explain_names_shared_sectors_and_sought_terms(model):
    (candidate, explanation), *_ = explained(model, "jp-auto", 1)
    assert candidate.company.id == "il-autocyber"
    assert "automotive" in explanation.shared_sectors
    assert "intrusion detection" in explanation.interest_terms
    assert explanation.summary.startswith(
        "Both work in automotive; Sample Motors seeks intrusion detection"
    )


def test_explain_reverse_direction_names_the_japanese_seeker(model):
    (candidate, explanation), *_ = explained(model, "il-fraud", 1)
    assert candidate.company.id == "jp-bank"
    assert (
        "Sample Bank seeks" in explanation.summary
        and "which Example Fraud Guard works on" in explanation.summary
    )


def test_explain_shows_glossary_terms_with_the_japanese_written(model):
    from kakehashi.companies import Company

    profile = Company(
        id="", name="試験", country="JP", sectors=(), interests="侵入検知とコネクテッドカー"
    )
    query = model.query_for_profile(profile)
    candidate = model.rank(query, 1)[0]
    terms = model.explain(query, candidate).interest_terms
    assert "侵入検知 (intrusion detection)" in terms
    assert all("(" in t for t in terms), terms  # every English word shown came from a Japanese term


def test_explain_shows_dictionary_words_with_the_japanese_written(model):
    profile = Company(id="", name="試験", country="JP", sectors=(), interests="患者の監視")
    query = model.query_for_profile(profile)
    candidate = model.rank(query, 1)[0]
    assert candidate.company.id == "il-monitor"
    terms = model.explain(query, candidate).interest_terms
    assert terms == ("患者 (patient)", "監視 (monitoring)")  # JMdict's glosses, each as written


def test_as_written_shows_the_glosses_of_one_japanese_word_together():
    from kakehashi.phrases import Translations, as_written

    pairs = [("映像", "image"), ("映像", "video"), ("映像", "footage"), ("解析", "analysis")]
    shown = as_written(
        ("video", "analysis", "footage"), "映像の解析", lambda _: Translations.of(pairs)
    )
    assert shown == ("映像 (video, footage)", "解析 (analysis)")


def test_as_written_shows_a_word_of_a_longer_translation_with_its_japanese():
    from kakehashi.phrases import Translations, as_written

    pairs = [("ソフトウェア定義車両", "software-defined vehicle")]
    shown = as_written(
        ("vehicle", "lidar"), "ソフトウェア定義車両", lambda _: Translations.of(pairs)
    )
    assert shown == ("vehicle (ソフトウェア定義車両)", "lidar")


@pytest.mark.parametrize(
    ("terms", "text", "expected"),
    [
        (("autonom", "drive", "vehicl"), "Vehicles for autonomous driving.", ("autonomous driving", "vehicles")),
        (("drive", "base"), "camera-based driving aids", ("driving",)),
        (("connect car", "connect"), "connected cars; connected car", ("connected cars",)),
        (("machin", "learn"), "機械学習", ("machin", "learn")),  # a term the text does not write
        (("ada", "assist"), "Electrified powertrains, ADAS and parking assistance", ("ADAS and parking assistance",)),
        (("cell", "therapi", "rare"), "cell and gene therapy, rare disease", ("cell and gene therapy", "rare")),
        (("cybersecur", "intrus detect"), "cybersecurity and intrusion detection", ("cybersecurity", "intrusion detection")),
        (("technolog", "sens"), "sensing technologies, new technologies", ("sensing technologies",)),
    ],
)  # fmt: skip
def test_phrases_keep_what_the_text_writes_together_whole(terms, text, expected):
    from kakehashi.explain import _phrases

    assert _phrases(terms, text) == expected


def test_summary_names_sectors_by_their_short_names(model):
    query = model.query_for("jp-elec")
    (match,) = [m for m in model.rank(query, 16) if m.company.id == "il-3d"]
    summary = model.explain(query, match).summary
    assert summary.startswith("Both work in semiconductors and AR/VR")
    assert "spatial computing" not in summary


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["AI"], "AI"),
        (["AI", "robotics"], "AI and robotics"),
        (["AI", "robotics", "cloud"], "AI, robotics and cloud"),
        (["ADAS and parking assistance", "software"], "ADAS and parking assistance, and software"),
    ],
)
def test_join_reads_as_a_sentence(items, expected):
    from kakehashi.explain import _join

    assert _join(items) == expected


def test_explanations_of_one_ranking_derive_the_querys_texts_once(model, monkeypatch):
    profile = Company(
        id="", name="Q", country="JP", sectors=("cyber",), interests="侵入検知と不正検知"
    )
    query = model.query_for_profile(profile)
    calls: list[str] = []
    real = type(model.vectorizer_).expand_text

    def counting(self, text, separator=" "):
        calls.append(text)
        return real(self, text, separator)

    monkeypatch.setattr(type(model.vectorizer_), "expand_text", counting)
    for match in model.rank(query, 8):
        model.explain(query, match)
    assert sum("侵入検知" in text for text in calls) <= 3  # not once or more per match


@pytest.mark.parametrize("seed", range(5))
def test_overlap_by_bisection_counts_what_a_scan_counts(seed):
    import random

    from kakehashi.japanese import _overlap

    rng = random.Random(seed)
    edges = sorted(rng.sample(range(200), 20))
    spans = list(zip(edges[::2], edges[1::2], strict=True))
    ends = [end for _, end in spans]
    for _ in range(50):
        begin = rng.randrange(200)
        end = begin + rng.randrange(1, 30)
        scan = sum(max(0, min(end, e) - max(begin, b)) for b, e in spans)
        assert _overlap(begin, end, spans, ends) == scan


def test_row_terms_block_and_shared_match_scipys_slicing_and_product():
    import numpy as np
    import scipy.sparse as sp

    from kakehashi.row_terms import block, shared_by_weight

    matrix = sp.random(6, 40, density=0.4, format="csr", random_state=2)
    columns = slice(5, 30)
    for row in range(6):
        positions, values = block(matrix, row, columns)
        dense = matrix[row, columns].toarray().ravel()
        assert np.array_equal(positions, np.flatnonzero(dense))
        assert np.array_equal(values, dense[positions])
    a, b = block(matrix, 0, columns), block(matrix, 1, columns)
    product = matrix[0, columns].multiply(matrix[1, columns]).tocoo()
    expected = product.col[np.argsort(-product.data, kind="stable")]
    assert np.array_equal(shared_by_weight(a, b), expected)
