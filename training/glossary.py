"""The Japanese/English glossary (`data/glossary.csv`): maps Japanese terms onto English ones."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from training.errors import GlossaryError
from training.taxonomy import data_dir


def default_glossary_path() -> Path:
    """Where the bundled glossary lives."""
    return data_dir() / "glossary.csv"


def load_glossary(path: Path | str | None = None) -> tuple[tuple[str, str], ...]:
    """Read `ja,en[,sector]` rows into (japanese, english) pairs, longest Japanese term first."""
    path = Path(path) if path else default_glossary_path()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise GlossaryError(f"{path}: glossary file not found") from None
    except UnicodeDecodeError as exc:
        raise GlossaryError(f"{path}: not valid UTF-8 ({exc.reason})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not {"ja", "en"} <= set(reader.fieldnames or ()):
        raise GlossaryError(f"{path}:1: header must contain the columns 'ja' and 'en'")
    pairs: dict[str, str] = {}
    for row in reader:
        ja, en = (row.get("ja") or "").strip(), (row.get("en") or "").strip().lower()
        if not ja or not en:
            raise GlossaryError(f"{path}:{reader.line_num}: both 'ja' and 'en' must be filled")
        if ja.isascii():
            continue  # Latin abbreviations (AI, EV) match as words already; substrings mislead
        pairs.setdefault(ja, en)
    return tuple(sorted(pairs.items(), key=lambda item: (-len(item[0]), item[0])))


def compile_glossary(pairs: tuple[tuple[str, str], ...]) -> re.Pattern[str] | None:
    """One regular expression matching any Japanese term, longest alternative first."""
    if not pairs:
        return None
    return re.compile("|".join(re.escape(ja) for ja, _ in pairs))


def expand(text: str, pattern: re.Pattern[str] | None, mapping: dict[str, str]) -> str:
    """Append the English equivalent of every glossary term found in the text."""
    if pattern is None or not text:
        return text
    found = [mapping[m] for m in pattern.findall(text)]
    return f"{text} {' '.join(found)}" if found else text
