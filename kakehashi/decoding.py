"""Decode a CSV as staff have it (UTF-8, UTF-16, Shift-JIS, Windows-1252); sniff its delimiter."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from kakehashi.errors import InvalidListError, Problem

#: Legacy encodings tried when a file is neither BOM-marked nor UTF-8, in fallback order:
#: Japanese Excel saves CSV as cp932 (Shift-JIS), Western Excel as cp1252 (Windows-1252).
LEGACY_ENCODINGS = ("cp932", "cp1252")
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16": "UTF-16 (Excel Unicode text)",
    "cp932": "Shift-JIS (cp932)",
    "cp1252": "Windows-1252",
}
DELIMITERS = (",", ";", "\t")
# Code points a real list never holds: C1 controls and the private-use area, which is where
# cp932 puts bytes 0x80, 0xA0 and 0xFD-0xFF; text decoded into them was the wrong encoding.
IMPLAUSIBLE = re.compile("[\x80-\x9f\ue000-\uf8ff]")
# Kana and full-width letters are two-byte cp932 codes whose first byte, read as Windows-1252,
# is ‚ or ƒ: Western text does not have them. Kanji and half-width katakana are what accented
# Western letters become when read as cp932, so their runs are weighed by where they stand.
JAPANESE_ONLY = re.compile("[\u3041-\u30ff\uff01-\uff5e]")
RUNS = re.compile("[\u3005\u4e00-\u9fff]+|[\uff61-\uff9f]+")


def decode_text(path: str, data: bytes) -> tuple[str, str]:
    """(text, encoding) of a CSV file: BOM, then UTF-8, then the detector, then cp932, cp1252."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(path, data, "utf-8-sig"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(path, data, "utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    for encoding in _candidates(data):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not IMPLAUSIBLE.search(text):
            return text, encoding
    line = data.count(b"\n", 0, utf8_error.start) + 1
    byte = data[utf8_error.start : utf8_error.start + 1].hex()
    names = " or ".join(ENCODING_NAMES[e] for e in LEGACY_ENCODINGS)
    message = f"not valid UTF-8 (byte 0x{byte}), nor {names} text; save the file as UTF-8"
    raise InvalidListError([Problem(path, line, "file", message)])


def decode_utf8(path: str, data: bytes) -> tuple[str, str]:
    """(text, encoding) of a JSON file, which must be UTF-8 with or without a BOM."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        message = f"not valid UTF-8 (byte 0x{byte}); save the file as UTF-8"
        raise InvalidListError([Problem(path, line, "file", message)]) from None
    return text, "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"


def _strict(path: str, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        name = ENCODING_NAMES[encoding]
        message = f"starts with a {name} byte-order mark but is not valid {name} ({exc.reason})"
        raise InvalidListError([Problem(path, 1, "file", message)]) from None


def _candidates(data: bytes) -> list[str]:
    """The detector's choice among the legacy encodings, checked by script, then the rest."""
    # Unrestricted, the detector answers cp775 or cp1250 for a Western list. Restricted, it
    # still misreads short lists (a few katakana names read as Windows-1252), so a clear
    # verdict of the script check overrides it.
    best = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
    guess = best.encoding if best is not None and best.encoding in LEGACY_ENCODINGS else None
    guess = _script_check(data) or guess
    first = [guess] if guess else []
    return first + [e for e in LEGACY_ENCODINGS if e not in first]


def _script_check(data: bytes) -> str | None:
    """cp932 or cp1252 when bytes that are valid in both clearly read as one; else None."""
    try:
        japanese = data.decode("cp932")
        data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    if JAPANESE_ONLY.search(japanese):
        return "cp932"
    runs = list(RUNS.finditer(japanese))
    western = sum(_inside_latin_word(japanese, run.start(), run.end()) for run in runs)
    if 2 * western == len(runs):
        return None
    return "cp1252" if 2 * western > len(runs) else "cp932"


def _inside_latin_word(text: str, start: int, end: int) -> bool:
    """True for a run that looks like accented letters of a Western word ('R鬩hovot')."""
    letters = sum(
        0 <= i < len(text) and text[i].isascii() and text[i].isalpha() for i in (start - 1, end)
    )
    single = end - start == 1
    return letters == 2 or (letters == 1 and single) or (single and text[start] >= "\uff61")


def sniff_delimiter(text: str) -> str:
    """The most frequent of `,` `;` TAB outside quotes in the header line (`,` on a tie)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char in "\r\n":
            break
        elif char in counts:
            counts[char] += 1
    return max(DELIMITERS, key=lambda d: counts[d])
