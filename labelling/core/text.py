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


def search_terms(query: str | None, limit: int = 8) -> list[str]:
    """The words of a search query, folded; punctuation separates words."""
    words = re.findall(r"\w+", fold(query))
    return words[:limit]
