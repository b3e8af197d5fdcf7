"""Japanese segmentation (Sudachi) and English glosses (JMdict) of company texts."""

from __future__ import annotations

import pickle
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from kakehashi import japanese, jmdict
from kakehashi.glossary import GlossaryEntry, compile_glossary


@pytest.fixture
def tiny_glossary() -> tuple[re.Pattern[str] | None, dict[str, str]]:
    """A two-term glossary, compiled the way the vectorizer compiles the bundled one."""
    entries = (
        GlossaryEntry("自動運転", "autonomous driving", "mobility"),
        GlossaryEntry("製薬", "pharmaceuticals", "life_sciences"),
        GlossaryEntry("計測", "measurement", ""),
    )
    return compile_glossary(entries), {e.ja: e.en for e in entries}


def test_segment_keeps_content_words_and_drops_particles() -> None:
    words = japanese.segment("当社は半導体と電池を開発し、クラウドを提供しています。")
    assert words == ["半導体", "電池", "開発", "クラウド", "提供"]


def test_segment_gives_verbs_by_dictionary_form() -> None:
    assert "取り組む" in japanese.segment("創薬に取り組んでいます。")


@pytest.mark.parametrize(
    ("word", "english"),
    [
        ("半導体", "semiconductor"),
        ("自動車", "automobile"),
        ("保険", "insurance"),
        ("人工知能", "artificial intelligence"),
        ("電池", "battery"),
        ("医療", "medical"),
        ("セキュリティ", "security"),
        ("クラウド", "cloud"),
        ("プラットフォーム", "platform"),
        ("物流", "distribution"),
        ("製薬", "drug manufacture"),
        ("がん", "cancer"),
        ("医療機器", "medical equipment"),
        ("リチウムイオン電池", "lithium-ion battery"),
    ],
)
def test_english_terms_translates_business_words(word: str, english: str) -> None:
    assert english in japanese.english_terms(word)


def test_english_terms_splits_compounds_the_dictionary_lacks() -> None:
    assert japanese.english_terms("クラウド型") == japanese.word_english("クラウド")


def test_english_terms_drops_first_senses_that_mislead() -> None:
    assert "shrine" not in japanese.english_terms("当社は保険会社です。")


def test_word_english_is_lower_case_without_parentheticals() -> None:
    assert japanese.word_english("人工知能") == "artificial intelligence ai"
    assert japanese.word_english("取り組む").startswith("grapple with wrestle with ")


def test_word_english_keeps_the_second_sense_where_the_business_meaning_often_is() -> None:
    assert japanese.word_english("映像").split()[:2] == ["image", "picture"]
    assert {"video", "footage"} <= set(japanese.word_english("映像").split())
    assert "effort" in japanese.word_english("取り組み").split()


def test_word_english_leaves_out_later_senses() -> None:
    english = japanese.word_english("図る")
    assert "plan" in english.split()
    assert "deceive" not in english


@pytest.mark.parametrize("word, gloss", [("材料", "material"), ("制御", "control")])
def test_word_english_names_a_gloss_two_senses_share_once(word: str, gloss: str) -> None:
    assert japanese.word_english(word).split().count(gloss) == 1


def test_word_english_is_empty_for_unknown_words() -> None:
    assert japanese.word_english("クラウド型") == ""


@pytest.mark.parametrize("text", ["", "semiconductor test equipment", "AI, EV & IoT 2024"])
def test_english_terms_is_empty_for_ascii_text(text: str) -> None:
    assert japanese.english_terms(text) == ""


def test_english_terms_ignores_non_japanese_scripts() -> None:
    assert japanese.english_terms("Société בטחון סייבר") == ""


def test_english_terms_reads_the_japanese_of_a_mixed_text() -> None:
    english = japanese.english_terms("Cyber security firm; 日本ではクラウド向けのAI半導体を販売。")
    assert english.startswith("japan cloud ")
    assert english.index("cloud") < english.index("semiconductor") < english.index("sales")
    assert "cyber" not in english


def test_expand_japanese_lets_the_glossary_win(tiny_glossary) -> None:
    pattern, mapping = tiny_glossary
    text = "自動運転と製薬の会社"
    expanded = japanese.expand_japanese(text, pattern, mapping)
    assert expanded.startswith(f"{text} autonomous driving pharmaceuticals company")
    assert "automatic operation" not in expanded
    assert "drug manufacture" not in expanded


def test_expand_japanese_reads_the_neighbours_of_a_term_in_context(tiny_glossary) -> None:
    # cut out, 自動運転 would leave 向け at the start of a run, read as a noun ("intended for")
    assert japanese.expand_japanese("自動運転向けの電池", *tiny_glossary).endswith(
        "autonomous driving battery cell"
    )


def test_expand_japanese_glosses_the_rest_of_a_unit_a_term_covers_in_part(tiny_glossary) -> None:
    assert (
        japanese.expand_japanese("計測機器", *tiny_glossary)
        == "計測機器 measurement device equipment machinery apparatus"
    )


def test_english_terms_leaves_out_skipped_spans() -> None:
    assert japanese.english_terms("Our 電池と保険", skip=[(4, 6)]) == "insurance guarantee"


def test_expand_japanese_without_a_glossary_uses_the_dictionary() -> None:
    assert japanese.expand_japanese("電池", None, {}) == "電池 battery cell"


@pytest.mark.parametrize("text", ["", "lithium battery maker"])
def test_expand_japanese_leaves_ascii_text_alone(text: str, tiny_glossary) -> None:
    assert japanese.expand_japanese(text, *tiny_glossary) == text


def test_expand_japanese_keeps_the_english_of_a_mixed_text(tiny_glossary) -> None:
    expanded = japanese.expand_japanese("EV maker: 自動運転と電池", *tiny_glossary)
    assert expanded == "EV maker: 自動運転と電池 autonomous driving battery cell"


@pytest.mark.parametrize(
    "function", [japanese.english_terms, japanese.expand_japanese, japanese.segment]
)
def test_functions_pickle_by_reference(function) -> None:
    assert pickle.loads(pickle.dumps(function)) is function


def test_english_terms_works_from_many_threads() -> None:
    texts = [f"半導体と電池{'と保険' * (i % 3)}の会社" for i in range(64)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(japanese.english_terms, texts))
    assert results == [japanese.english_terms(t) for t in texts]


def test_english_terms_cuts_long_runs() -> None:
    english = japanese.english_terms("半導体" * 20_000)
    assert english.split().count("semiconductor") >= 19_000


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The module as in a new process: nothing loaded yet in any thread."""
    monkeypatch.setattr(japanese, "_shared", {})
    monkeypatch.setattr(japanese, "_local", threading.local())
    return monkeypatch


@pytest.mark.parametrize("module", ["sudachipy", "sudachidict_core"])
def test_segment_names_the_missing_analyzer(module: str, fresh_process) -> None:
    fresh_process.setitem(sys.modules, module, None)
    with pytest.raises(japanese.JapaneseSupportMissing, match="sudachidict-core"):
        japanese.segment("半導体")


def test_word_english_names_the_missing_dictionary(fresh_process) -> None:
    fresh_process.setattr(jmdict, "_local", threading.local())
    fresh_process.setitem(sys.modules, "jamdict_data", None)
    jmdict.word_glosses.cache_clear()
    with pytest.raises(japanese.JapaneseSupportMissing, match="jamdict-data"):
        japanese.word_english("未登録の語")


def test_japanese_support_missing_is_an_import_error() -> None:
    assert issubclass(japanese.JapaneseSupportMissing, ImportError)


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("", 0),
        ("semiconductor", 13),
        ("半導体", 9),
        ("AI半導体", 11),
        ("半導体。", 10),
        ("Société", 7),
    ],
)
def test_analysed_length_counts_a_japanese_character_three_times(text: str, length: int) -> None:
    assert japanese.analysed_length(text) == length
