"""JMdict glosses of a Japanese word, read straight from jamdict-data's SQLite database.

jamdict's `lookup` builds every entry whole (forms, readings, links, every sense's tags: about 40
queries an entry, 5 ms a word); this reads only what a word's English needs, from the same file and
with the same choice (a test holds the two equal on the words of the bundled and evaluation lists):

- the entries a word names: a kanji or kana form, or a gloss, spelled exactly the word;
- for a hiragana-only word, only the entries whose first sense JMdict marks "usually written using
  kana alone" (がん: cancer, not goose);
- of those, the entry whose form spelled like the word has the most priority tags (news1, ichi1,
  ...), the first of equals by sequence number; a word matched only by a gloss counts -1;
- its English: every gloss of its first `max_senses` senses, lower-cased, without parentheticals,
  ellipses or a leading "to ", each gloss once.

The database is opened read-only and immutable, once per thread and process (a SQLite connection
must not be shared by threads, nor by the processes a gunicorn master forks after using it).
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
import threading

_local = threading.local()
_PARENTHETICAL = re.compile(r"\([^)]*\)|\.\.\.|…")
_HIRAGANA_ONLY = re.compile(r"[\u3040-\u309f\u30fc]+")
KANA_USUAL = "word usually written using kana alone"

# jamdict's own query for an exact lookup, so that entries come in the same order
_ENTRIES = """
    SELECT idseq FROM Entry WHERE (idseq IN (SELECT idseq FROM Kanji WHERE text == :word)
    OR idseq IN (SELECT idseq FROM Kana WHERE text == :word)
    OR idseq IN (SELECT idseq FROM sense JOIN sensegloss ON sense.ID == sensegloss.sid
                 WHERE text == :word))"""
_PRIORITY = """
    SELECT MAX(tags) FROM (
        SELECT (SELECT COUNT(*) FROM KJP WHERE KJP.kid = Kanji.ID) AS tags
        FROM Kanji WHERE Kanji.idseq = :idseq AND Kanji.text = :word
        UNION ALL
        SELECT (SELECT COUNT(*) FROM KNP WHERE KNP.kid = Kana.ID) AS tags
        FROM Kana WHERE Kana.idseq = :idseq AND Kana.text = :word)"""
_SENSES = "SELECT ID FROM Sense WHERE idseq = ? ORDER BY ID"
_GLOSSES = "SELECT text FROM SenseGloss WHERE sid = ? ORDER BY rowid"
_MISC = "SELECT text FROM misc WHERE sid = ?"


class DictionaryMissing(ImportError):
    """jamdict-data, the package holding JMdict's database, is not installed."""


def _connection() -> sqlite3.Connection:
    """This thread's read-only connection to the packaged JMdict database."""
    connection = getattr(_local, "connection", None)
    if connection is None or _local.pid != os.getpid():
        try:
            import jamdict_data
        except ImportError as exc:
            raise DictionaryMissing(f"Japanese-English lookup needs jamdict-data ({exc})") from exc
        uri = f"file:{jamdict_data.JAMDICT_DB_PATH}?mode=ro&immutable=1"
        connection = _local.connection = sqlite3.connect(uri, uri=True, check_same_thread=True)
        _local.pid = os.getpid()
    return connection


def clean_gloss(gloss: str) -> str:
    """A gloss lower-cased, without parentheticals, ellipses or the "to " of a verb."""
    text = " ".join(_PARENTHETICAL.sub(" ", gloss).lower().split())
    return text.removeprefix("to ")


@functools.lru_cache(maxsize=1 << 17)
def word_glosses(word: str, max_senses: int) -> tuple[str, ...]:
    """The English glosses of one Japanese word, or () when JMdict has no entry for it."""
    db = _connection()
    best, best_priority = None, -2
    for (idseq,) in db.execute(_ENTRIES, {"word": word}).fetchall():
        senses = [sid for (sid,) in db.execute(_SENSES, (idseq,))]
        if not senses:
            continue
        if _HIRAGANA_ONLY.fullmatch(word) and not _usually_kana(db, senses[0]):
            continue
        (priority,) = db.execute(_PRIORITY, {"idseq": idseq, "word": word}).fetchone()
        priority = -1 if priority is None else priority
        if priority > best_priority:  # the first of equals stays
            best, best_priority = senses, priority
    if best is None:
        return ()
    glosses = (
        clean_gloss(text) for sid in best[:max_senses] for (text,) in db.execute(_GLOSSES, (sid,))
    )
    return tuple(dict.fromkeys(g for g in glosses if g))


def _usually_kana(db: sqlite3.Connection, sense: int) -> bool:
    """Whether JMdict marks the sense as usually written in kana alone."""
    return any(text == KANA_USUAL for (text,) in db.execute(_MISC, (sense,)))
