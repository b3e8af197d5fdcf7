"""The interface's two languages: one message catalogue (messages.json), the chosen language.

The language is the `lang` cookie (set by the toggle), else the browser's Accept-Language, else
English. Sector names come from the taxonomy (its label in English, its first Japanese alias in
Japanese), so the sector list stays defined in one place.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

from flask import request

from kakehashi.taxonomy import Taxonomy

LANGUAGES = ("en", "ja")
COOKIE = "lang"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Every message by key, each with its English and Japanese text."""
    text = resources.files("service.web").joinpath("messages.json").read_text(encoding="utf-8")
    return {key: value for key, value in json.loads(text).items() if not key.startswith("_")}


def language() -> str:
    """The language of this request's pages: the cookie, then Accept-Language, then English."""
    chosen = request.cookies.get(COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES, default="en") or "en"


def translate(key: str, lang: str, **values: object) -> str:
    """The message `key` in `lang`, with `{name}` placeholders filled (a KeyError if unknown)."""
    text = catalogue()[key][lang]
    return text.format(**values) if values else text


def messages(lang: str, prefixes: tuple[str, ...]) -> dict[str, str]:
    """The messages the page's scripts need (keys starting with one of `prefixes`), in `lang`."""
    return {key: entry[lang] for key, entry in catalogue().items() if key.startswith(prefixes)}


def sector_label(taxonomy: Taxonomy, key: str, lang: str) -> str:
    """A sector's name in the language: the taxonomy's label, or its first Japanese alias."""
    sector = taxonomy.get(key)
    if lang == "ja":
        for alias in sector.aliases:
            if JAPANESE.search(alias):
                return alias
    return sector.label


def safe_next(target: str | None) -> str:
    """A path on this site to return to (never another host), `/` when missing or unsafe."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
