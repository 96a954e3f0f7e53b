"""Text folding for search: case, accents and a few letters that do not decompose."""

from __future__ import annotations

import re
import unicodedata

# Letters Unicode does not decompose into a base letter plus an accent.
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})


def fold(text: str | None) -> str:
    """Lower-case, accent-free text: "Øresund Île" and "oresund ile" fold alike."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", stripped.translate(_LETTERS)).strip()


# A word is a run of letters and digits; everything else (punctuation, "_", "%") separates.
_WORD = re.compile(r"[^\W_]+")


def words(text: str | None) -> list[str]:
    """The folded words of a text."""
    return _WORD.findall(fold(text))


def search_terms(query: str | None, limit: int = 8) -> list[str]:
    """The words of a search query, folded, each once, at most `limit`."""
    return list(dict.fromkeys(words(query)))[:limit]


def search_document(*parts: str | None) -> str:
    """The folded words of the parts, one space apart: what a search looks words up in,
    the same on every database ("Øresund Île-de-France" -> "oresund ile de france")."""
    return " ".join(word for part in parts for word in words(part))
