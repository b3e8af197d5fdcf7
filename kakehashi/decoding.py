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
    """The detector's choice among the legacy encodings first, then the fixed fallback order."""
    # Unrestricted, the detector happily answers cp775 or cp1250 for a Western list; among
    # our two candidates it weighs mojibake, which strict decoding alone cannot see (cp1252
    # decodes almost any bytes, and Western text can be valid cp932).
    best = from_bytes(data, cp_isolation=list(LEGACY_ENCODINGS)).best()
    guess = [best.encoding] if best is not None and best.encoding in LEGACY_ENCODINGS else []
    return guess + [e for e in LEGACY_ENCODINGS if e not in guess]


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
