"""The sector taxonomy: reads `kakehashi/data/taxonomy.json`, the one place sectors are defined."""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kakehashi.errors import TaxonomyError

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_COMPOUND = re.compile(r"\s*(?:/|&|\+|\band\b|・)\s*", re.IGNORECASE)


def data_dir() -> Path:
    """The package data folder that holds the bundled taxonomy and glossary."""
    return Path(__file__).resolve().parent / "data"


def default_taxonomy_path() -> Path:
    """Where the bundled taxonomy lives."""
    return data_dir() / "taxonomy.json"


def normalize_term(text: str) -> str:
    """Fold case, width and punctuation so 'AR/VR', 'ar-vr' and 'ＡＲ ＶＲ' compare equal."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True)
class Sector:
    """One sector: a stable key, a human label, aliases and related sectors."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    short: str = ""  # the name in a sentence ("Both work in AI and robotics"); the label if blank

    @property
    def name_in_text(self) -> str:
        """The short name, or the label when there is none."""
        return self.short or self.label


@dataclass(frozen=True)
class Taxonomy:
    """The ordered set of sectors, with alias resolution and relatedness."""

    sectors: tuple[Sector, ...]
    _index: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, str] = {}
        for sector in self.sectors:
            for term in (sector.key, sector.label, *sector.aliases):
                index.setdefault(normalize_term(term), sector.key)
        object.__setattr__(self, "_index", index)

    @property
    def keys(self) -> tuple[str, ...]:
        """Sector keys in file order (the column order of sector vectors)."""
        return tuple(s.key for s in self.sectors)

    def get(self, key: str) -> Sector:
        """The sector with this key (KeyError when unknown)."""
        for sector in self.sectors:
            if sector.key == key:
                return sector
        raise KeyError(key)

    def label(self, key: str) -> str:
        """The human label of a sector key."""
        return self.get(key).label

    def resolve(self, name: str) -> str | None:
        """The key a sector name or alias stands for, or None when it is unknown."""
        return self._index.get(normalize_term(name))

    def resolve_compound(self, name: str) -> tuple[str, ...]:
        """Keys of a name, or of each part of 'Biotech/Pharma' or 'AI & Robotics'; () if unknown."""
        key = self.resolve(name)
        if key is not None:
            return (key,)
        parts = [p for p in _COMPOUND.split(name) if p.strip()]
        keys = [self.resolve(p) for p in parts]
        if len(parts) < 2 or None in keys:
            return ()
        return tuple(dict.fromkeys(k for k in keys if k))

    def closest(self, name: str) -> str | None:
        """The known key whose key, label or alias is most similar to an unknown name."""
        matches = difflib.get_close_matches(
            normalize_term(name), list(self._index), n=1, cutoff=0.5
        )
        return self._index[matches[0]] if matches else None

    def unknown_message(self, name: str) -> str:
        """The error text for an unknown sector name, with the closest known key as a hint."""
        closest = self.closest(name)
        hint = f"closest known: {closest!r}" if closest else f"known: {', '.join(self.keys)}"
        return f"unknown sector {name!r} ({hint})"

    def related(self, a: str, b: str) -> bool:
        """Whether two sectors are declared related (in either direction)."""
        return b in self.get(a).related or a in self.get(b).related

    def relatedness_matrix(self, related_weight: float) -> np.ndarray:
        """Square matrix: 1 on the diagonal, `related_weight` between related sectors."""
        keys = self.keys
        position = {k: i for i, k in enumerate(keys)}
        matrix = np.eye(len(keys))
        for sector in self.sectors:
            for other in sector.related:
                i, j = position[sector.key], position[other]
                matrix[i, j] = matrix[j, i] = related_weight
        return matrix


def load_taxonomy(path: Path | str | None = None) -> Taxonomy:
    """Read and validate a taxonomy JSON file (the bundled one by default)."""
    path = Path(path) if path else default_taxonomy_path()
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TaxonomyError(f"{path}: taxonomy file not found") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TaxonomyError(f"{path}: not valid UTF-8 JSON ({exc})") from None
    entries = document.get("sectors") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise TaxonomyError(f"{path}: expected an object with a non-empty 'sectors' list")
    sectors = tuple(_parse_sector(path, i, entry) for i, entry in enumerate(entries))
    _check_references(path, sectors)
    return Taxonomy(sectors)


def _parse_sector(path: Path, position: int, entry: object) -> Sector:
    where = f"{path}: sectors[{position}]"
    if not isinstance(entry, dict):
        raise TaxonomyError(f"{where}: expected an object")
    key, label = entry.get("key"), entry.get("label")
    if not isinstance(key, str) or not KEY_PATTERN.match(key):
        raise TaxonomyError(f"{where}: 'key' must be a lowercase snake_case string")
    if not isinstance(label, str) or not label.strip():
        raise TaxonomyError(f"{where}: 'label' must be a non-empty string")
    aliases, related = entry.get("aliases", []), entry.get("related", [])
    for name, values in (("aliases", aliases), ("related", related)):
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise TaxonomyError(f"{where}: '{name}' must be a list of strings")
    short = entry.get("short", "")
    if not isinstance(short, str):
        raise TaxonomyError(f"{where}: 'short' must be a string")
    return Sector(key, label.strip(), tuple(aliases), tuple(related), short.strip())


def _check_references(path: Path, sectors: tuple[Sector, ...]) -> None:
    keys = [s.key for s in sectors]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise TaxonomyError(f"{path}: duplicate sector keys: {', '.join(duplicates)}")
    for sector in sectors:
        unknown = [r for r in sector.related if r not in keys]
        if unknown:
            raise TaxonomyError(f"{path}: sector {sector.key!r} relates to unknown {unknown}")
