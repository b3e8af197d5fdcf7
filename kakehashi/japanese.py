"""Japanese text to English words: Sudachi segments it, JMdict (jamdict-data) glosses each word.

How it combines with the hand glossary (`kakehashi.glossary`): `expand_japanese(text, pattern,
mapping)` returns the text, then the English of every glossary term found (exactly what
`glossary.expand` appends), then the dictionary English of the words outside the glossary's
matches. The glossary wins where it matches, so a domain term it knows (自動運転 -> "autonomous
driving") is never also glossed by JMdict ("automatic operation"). The whole text is segmented,
so cutting a term out does not change how its neighbours are read (半導体向け keeps 向け a
suffix); a unit a match covers in part (計測機器 around 計測) is split finer and only its parts
outside the match are glossed. `english_terms(text)` is the dictionary half alone.

Segmentation uses Sudachi's split mode C (longest units: 人工知能, 医療機器, 損害保険 stay whole,
and JMdict has many of them); a unit JMdict lacks (クラウド型) is split again in mode B, then A,
and each part looked up. Content words are kept (nouns, verbs, adjectives, adjectival nouns, by
dictionary form); particles, auxiliaries, symbols, numbers, pronouns, person names, dependent
words (する, できる) and formal nouns (こと, ため) are dropped; a hiragana-only spelling only
matches the JMdict entries usually written in kana (がん -> cancer, not goose). A word is looked
up by dictionary form, then normalized form, then surface; its English is every gloss of the first
two senses of the best entry (JMdict lists the most common sense first, and the business sense is
often the second: 映像 "image, picture" then "video, footage"; 取り組み "bout, match" then
"effort, initiative"), lower-cased, without parentheticals or a leading "to ", each gloss once.
Later senses are mostly specialised or rare (図る: "to deceive"); the words view's IDF weighs the
common glosses down.

The analyzer and the dictionary load on first use, once per process; each thread gets its own
Sudachi tokenizer and SQLite connection (neither may be shared across threads), and glosses are
cached per word, so a long company list with a shared vocabulary queries each word once.
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
from collections.abc import Sequence
from typing import Any

from kakehashi import jmdict

# Kana, kanji (with 々 and the iteration marks), the long-vowel mark and the full-width/half-width
# forms; sentence-ending punctuation is excluded so each run stays a sentence or less.
_JAPANESE_RUN = re.compile(
    r"[\u3001\u3005-\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff9f]+"
)
# Sudachi refuses inputs over ~49 KB of UTF-8; a run is cut well below that.
_MAX_RUN = 4000
JAPANESE_WEIGHT = 3  # a Japanese character counts as this many toward the caps (analysed_length)
# Senses of a word whose glosses are kept (docs/model.md, "Japanese text": measured 1 to all).
MAX_SENSES = 2

_CONTENT_POS = frozenset(["名詞", "動詞", "形容詞", "形状詞"])
_DROPPED_SUBPOS = frozenset(["数詞", "非自立可能", "助動詞語幹"])
# JMdict's first sense of these is not the business sense (当社: "this shrine", not "our company"),
# or they are formal nouns that carry no topic (こと "thing", ため "advantage").
_DROPPED_WORDS = frozenset(["当社", "同社", "弊社", "本社"]) | frozenset(
    ["こと", "もの", "ため", "ところ", "とき", "よう", "など", "ほか"]
)


class JapaneseSupportMissing(ImportError):
    """The Japanese analyzer or dictionary packages (sudachipy, sudachidict-core,
    jamdict-data) are not installed."""

    code = "japanese_support_missing"


_lock = threading.Lock()
_shared: dict[str, Any] = {}
_local = threading.local()


def _sudachi_dictionary() -> Any:
    """The Sudachi core dictionary, loaded once per process (it is memory-mapped and shareable)."""
    with _lock:
        if "sudachi" not in _shared:
            try:
                from sudachipy import Dictionary

                _shared["sudachi"] = Dictionary(dict="core")
            except ImportError as exc:
                raise JapaneseSupportMissing(
                    f"Japanese segmentation needs sudachipy and sudachidict-core ({exc})"
                ) from exc
        return _shared["sudachi"]


def _tokenizer() -> Any:
    """This thread's Sudachi tokenizer in mode C (a tokenizer must not be shared by threads)."""
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        dictionary = _sudachi_dictionary()  # first: it names the missing package
        from sudachipy import SplitMode

        tokenizer = _local.tokenizer = dictionary.tokenizer(mode=SplitMode.C)
    return tokenizer


def word_glosses(word: str) -> tuple[str, ...]:
    """The English glosses of one Japanese word from JMdict (cached), or () without an entry."""
    try:
        return jmdict.word_glosses(word, MAX_SENSES)
    except jmdict.DictionaryMissing as exc:
        raise JapaneseSupportMissing(str(exc)) from exc


def word_english(word: str) -> str:
    """The English of one Japanese word (its glosses, space-separated), or ""."""
    return " ".join(word_glosses(word))


def _is_content(morpheme: Any) -> bool:
    """Whether a morpheme is a content word worth translating."""
    pos = morpheme.part_of_speech()
    if pos[0] not in _CONTENT_POS or pos[1] in _DROPPED_SUBPOS:
        return False
    if pos[0] == "名詞" and (pos[1] == "代名詞" or pos[2] == "人名"):
        return False
    return morpheme.dictionary_form() not in _DROPPED_WORDS


def _morpheme_glosses(morpheme: Any) -> tuple[str, ...]:
    """The glosses of a morpheme by dictionary form, normalized form, then surface."""
    forms = (morpheme.dictionary_form(), morpheme.normalized_form(), morpheme.surface())
    for form in dict.fromkeys(forms):
        glosses = word_glosses(form)
        if glosses:
            return glosses
    return ()


Span = tuple[int, int]
Glossed = tuple[str, tuple[str, ...]]  # a word as written, and its English glosses


def _overlap(begin: int, end: int, spans: Sequence[Span], ends: Sequence[int]) -> int:
    """How many characters of [begin, end) the spans cover.

    The spans are sorted and do not overlap (regex matches), so the ones that can touch
    [begin, end) are found by bisection on their ends: linear in the text, not quadratic.
    """
    covered, i = 0, bisect.bisect_right(ends, begin)
    while i < len(spans) and spans[i][0] < end:
        covered += min(end, spans[i][1]) - max(begin, spans[i][0])
        i += 1
    return covered


def _glossed(
    morpheme: Any, finer: tuple[Any, ...], at: int, spans: Sequence[Span], ends: Sequence[int]
) -> list[Glossed]:
    """A content morpheme outside the spans with its glosses; a morpheme JMdict lacks, or that a
    span covers in part, is split in the next finer mode and its parts glossed instead."""
    if not _is_content(morpheme):
        return []
    begin, end = at + morpheme.begin(), at + morpheme.end()
    covered = _overlap(begin, end, spans, ends)
    if covered == end - begin:
        return []
    glosses = () if covered else _morpheme_glosses(morpheme)
    if glosses:
        return [(morpheme.surface(), glosses)]
    for depth, mode in enumerate(finer):
        parts = morpheme.split(mode)
        if len(parts) > 1:
            rest = finer[depth + 1 :]
            return [word for part in parts for word in _glossed(part, rest, at, spans, ends)]
    return []


def _runs(text: str) -> list[tuple[int, str]]:
    """The Japanese runs of a text with their offsets, each cut to a length Sudachi accepts."""
    return [
        (match.start() + i, match.group()[i : i + _MAX_RUN])
        for match in _JAPANESE_RUN.finditer(text)
        for i in range(0, len(match.group()), _MAX_RUN)
    ]


def analysed_length(text: str) -> int:
    """A text's length with each character of its Japanese runs counted JAPANESE_WEIGHT times:
    what the caps on an ad-hoc profile count (a Japanese character is segmented, looked up and
    glossed, and brings several characters of English to analyse; docs/api.md, "Bounded cost")."""
    if text.isascii():
        return len(text)
    japanese = sum(len(run) for run in _JAPANESE_RUN.findall(text))
    return len(text) + (JAPANESE_WEIGHT - 1) * japanese


def segment(text: str) -> list[str]:
    """The content words (dictionary forms) of the Japanese parts of a text, in mode C."""
    if text.isascii():
        return []
    return [
        m.dictionary_form()
        for _, run in _runs(text)
        for m in _tokenizer().tokenize(run)
        if _is_content(m)
    ]


def _finer_modes() -> tuple[Any, ...]:
    """The split modes a unit JMdict lacks is split into, coarser first."""
    from sudachipy import SplitMode

    return (SplitMode.B, SplitMode.A)


def glossed_words(text: str, skip: Sequence[Span] = ()) -> list[Glossed]:
    """The Japanese content words of a text outside the `skip` spans (character offsets into the
    text), each as written with its glosses, in text order."""
    if text.isascii():
        return []
    spans = sorted(skip)
    ends = [end for _, end in spans]
    words: list[Glossed] = []
    for start, run in _runs(text):
        stop, i = start + len(run), bisect.bisect_right(ends, start)
        inside = []
        while i < len(spans) and spans[i][0] < stop:
            inside.append((max(spans[i][0], start) - start, min(spans[i][1], stop) - start))
            i += 1
        words += _glossed_run(run, tuple(inside))
    return words


@functools.lru_cache(maxsize=4096)
def _glossed_run(run: str, spans: tuple[Span, ...]) -> tuple[Glossed, ...]:
    """The glossed words of one Japanese run outside the spans (offsets into the run). Cached: a
    profile's runs are analysed for its vectors, then again for its explanations."""
    tokenizer, finer = _tokenizer(), _finer_modes()
    ends = [end for _, end in spans]
    return tuple(
        word
        for morpheme in tokenizer.tokenize(run)
        for word in _glossed(morpheme, finer, 0, spans, ends)
    )


def english_terms(text: str, skip: Sequence[Span] = (), separator: str = " ") -> str:
    """The glosses of the Japanese content words of a text outside the `skip` spans, each after
    `separator` ("" if none): with "; ", every gloss stays a phrase of its own."""
    return separator.join(g for _, glosses in glossed_words(text, skip) for g in glosses)


def expand_japanese(
    text: str, pattern: re.Pattern[str] | None, mapping: dict[str, str], separator: str = " "
) -> str:
    """The text, the English of its glossary terms, then the dictionary English of the rest,
    each added term after `separator` (explanations use "; " so that terms stay apart)."""
    if not text:
        return text
    matches = list(pattern.finditer(text)) if pattern is not None else []
    found = [mapping[m.group()] for m in matches]
    english = english_terms(text, [m.span() for m in matches], separator)
    added = separator.join(part for part in (*found, english) if part)
    return f"{text}{separator}{added}" if added else text
