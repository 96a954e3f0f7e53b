"""How strong a new password is: length, zxcvbn's estimate against its offline lists of
common and breached passwords, words and keyboard patterns, and the person's own name and
e-mail address. The verdict is the server's, so it works without JavaScript."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

# zxcvbn scores 0 (too guessable) to 4 (very unguessable); the words readers see.
STRENGTH_WORDS = (_l("Very weak"), _l("Weak"), _l("Fair"), _l("Strong"), _l("Very strong"))
# zxcvbn judges at most this many characters (it refuses longer input): a longer
# password is judged by its beginning, which is strong already or not.
_CHECKED_CHARS = 72

# Why a password is easy to guess, by the kind of pattern zxcvbn found in it.
_PATTERN_PROBLEMS = {
    "dictionary": _l("It is, or is built from, a commonly used password, name or word."),
    "repeat": _l('It repeats characters or words (like "aaaa" or "abcabc").'),
    "sequence": _l('It contains a sequence such as "abcd" or "1234".'),
    "spatial": _l('It follows keys next to each other on the keyboard (like "qwerty").'),
    "date": _l("It contains a date or a year, which is easy to guess."),
    "regex": _l("It contains a date or a year, which is easy to guess."),
}


@dataclass(frozen=True)
class Verdict:
    score: int
    problems: list[str] = field(default_factory=list)

    @property
    def is_acceptable(self) -> bool:
        return not self.problems

    @property
    def strength(self) -> str:
        return str(STRENGTH_WORDS[self.score])


def personal_words(name: str = "", email: str = "") -> list[str]:
    """The parts of a person's name and address a guesser would try first."""
    local, _, domain = (email or "").lower().partition("@")
    parts = re.split(r"[^\w]+", f"{name} {local} {domain.split('.')[0]}".lower())
    return sorted({part for part in parts if len(part) >= 3} | {local} - {""})


def judge_password(
    password: str, *, name: str = "", email: str = "", min_length: int, min_score: int
) -> Verdict:
    """The verdict on a new password: its strength and, if refused, why, in words."""
    # Imported here: its frequency lists take 13 MB, which a worker that never sees a new
    # password (most of them) need not hold.
    from zxcvbn import zxcvbn

    words = personal_words(name, email)
    result = zxcvbn(password[:_CHECKED_CHARS], user_inputs=words)
    score = int(result["score"])
    problems = []
    if len(password) < min_length:
        problems.append(str(_l("Use at least %(n)s characters.", n=min_length)))
    lowered = password.lower()
    if any(len(word) >= 4 and word in lowered for word in words):
        problems.append(str(_l("It contains your name or your e-mail address.")))
        score = min(score, 1)
    if score < min_score:
        problems.extend(_pattern_problems(result["sequence"]))
        problems.append(
            str(_l("Use a passphrase of four or more words that do not belong together."))
        )
    return Verdict(score=score, problems=list(dict.fromkeys(problems)))


def _pattern_problems(sequence: list[dict]) -> list[str]:
    kinds = [match["pattern"] for match in sequence if match["pattern"] in _PATTERN_PROBLEMS]
    if any(
        m["pattern"] == "dictionary" and m.get("dictionary_name") == "user_inputs" for m in sequence
    ):
        return [str(_l("It contains your name or your e-mail address."))]
    if not kinds:
        return [str(_l("It is too easy to guess."))]
    return [str(_PATTERN_PROBLEMS[kind]) for kind in dict.fromkeys(kinds)]
