"""The sector taxonomy: alias resolution, closest-key hints and file validation."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kakehashi.errors import TaxonomyError
from kakehashi.glossary import compile_terms
from kakehashi.taxonomy import load_taxonomy, normalize_term

FOCUS = ("cyber", "life_sciences", "ai", "vr", "digital_health", "automotive")
REQUIRED = (
    *FOCUS,
    "fintech", "semiconductors", "telecom", "cleantech", "agrifood", "robotics",
    "enterprise_software", "consumer_internet",
)  # fmt: skip


def test_taxonomy_contains_every_required_key(taxonomy):
    assert set(REQUIRED) <= set(taxonomy.keys)


@pytest.mark.parametrize(
    ("name", "key"),
    [("Life Sciences", "life_sciences"), ("life-sciences", "life_sciences"), ("AR/VR", "vr"),
     ("Cybersecurity", "cyber"), ("cyber_security", "cyber"), ("ＡＩ", "ai"), ("Digital-Health", "digital_health")],
)  # fmt: skip
def test_taxonomy_resolve_ignores_case_and_punctuation(taxonomy, name, key):
    assert taxonomy.resolve(name) == key


def test_taxonomy_resolve_returns_none_for_unknown(taxonomy):
    assert taxonomy.resolve("underwater basket weaving") is None


@pytest.mark.parametrize(
    ("typo", "key"), [("cyberr", "cyber"), ("fintec", "fintech"), ("robotic", "robotics")]
)
def test_taxonomy_closest_suggests_a_key(taxonomy, typo, key):
    assert taxonomy.closest(typo) == key


def test_taxonomy_relatedness_is_symmetric_with_unit_diagonal(taxonomy):
    matrix = taxonomy.relatedness_matrix(0.3)
    assert (matrix == matrix.T).all()
    assert (matrix.diagonal() == 1).all()
    i, j = taxonomy.keys.index("digital_health"), taxonomy.keys.index("life_sciences")
    assert matrix[i, j] == pytest.approx(0.3)


def test_normalize_term_folds_width_case_and_punctuation():
    assert normalize_term("ＡＲ／ＶＲ") == normalize_term("ar-vr") == "arvr"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("not json", "not valid UTF-8 JSON"),
        (json.dumps({"sectors": []}), "non-empty 'sectors' list"),
        (json.dumps({"sectors": [{"key": "Bad Key", "label": "x"}]}), "'key' must be"),
        (json.dumps({"sectors": [{"key": "a", "label": ""}]}), "'label' must be"),
        (
            json.dumps({"sectors": [{"key": "a", "label": "A"}, {"key": "a", "label": "B"}]}),
            "duplicate sector keys",
        ),
        (
            json.dumps({"sectors": [{"key": "a", "label": "A", "related": ["b"]}]}),
            "relates to unknown",
        ),
    ],
)
def test_load_taxonomy_rejects_malformed_files(tmp_path, document, message):
    path = tmp_path / "taxonomy.json"
    path.write_text(document, encoding="utf-8")
    with pytest.raises(TaxonomyError, match=message):
        load_taxonomy(path)


def test_load_taxonomy_names_a_missing_file(tmp_path):
    with pytest.raises(TaxonomyError, match="not found"):
        load_taxonomy(tmp_path / "nope.json")


@pytest.mark.parametrize(
    ("name", "key"),
    [("Defense", "aerospace_defense"), ("Climate Tech", "cleantech"), ("HealthTech", "digital_health"),
     ("Insurtech", "fintech"), ("Quantum", "semiconductors"), ("Mobility", "automotive")],
)  # fmt: skip
def test_taxonomy_resolves_common_sector_names_of_other_lists(taxonomy, name, key):
    assert taxonomy.resolve(name) == key


def test_sector_detection_in_text_ignores_ambiguous_aliases(model):
    named = model.vectorizer_.sectors_named
    assert named("We seek intrusion detection and AR headsets") == ("cyber", "vr")
    assert named("It wants to grow its industry presence") == ()


TERMS = {
    t: "x" for t in ("ai", "ai chips", "air", "5g", "e-health", "自動運転", "自動", "運転支援")
}
PIECES = [*TERMS, " ", "-", "s", "x", "エア", "の", ".", "A"]


def flat_alternation(terms: dict[str, str]) -> re.Pattern[str]:
    """The specification: one alternation of every term, longest first, whole words for ASCII."""
    ordered = sorted(terms, key=lambda t: (-len(t), t))
    whole = [
        re.escape(t) if not t.isascii() else rf"(?<![\w-]){re.escape(t)}(?![\w-])" for t in ordered
    ]
    return re.compile("|".join(whole))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_sector_terms_pattern_finds_what_one_flat_alternation_finds(text):
    assert compile_terms(TERMS).findall(text) == flat_alternation(TERMS).findall(text)


@pytest.mark.parametrize(
    ("name", "keys"),
    [("Biotech/Pharma", ("life_sciences",)), ("AI & Robotics", ("ai", "robotics")),
     ("Fintech and Insurtech", ("fintech",)), ("AR/VR", ("vr",)), ("Cyber + nonsense", ()), ("nonsense", ())],
)  # fmt: skip
def test_taxonomy_resolves_compound_sector_names(taxonomy, name, keys):
    assert taxonomy.resolve_compound(name) == keys
