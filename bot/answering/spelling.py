"""Typo-tolerant reading of the few words that decide what a message asks for.

Users misspell exactly the words that matter ("I obejct to the procesing", "deleet my data",
"whats the staus of my tikcet"). A word the statement does not use that is one edit away from a
key word of the requests is read as that word, and chat shorthand ("ur", "pls", "dont") as its
full form. Known words are never changed: "date" stays "date" although it is one edit from "data".
Pure string work: no model call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_TOKEN = re.compile(r"[a-z0-9']+|[^a-z0-9']+")
_LETTERS = re.compile(r"[a-z]+")
# The words that name a request, its object or how it is asked for.
KEY_WORDS = frozenset(
    "delete deleted deletion erase erased erasure remove removed forgotten purge "
    "object objection objecting objections process processing processed consent consents withdraw "
    "withdrawal withdrawn revoke revoked rectify rectification correct correction corrected update updated "
    "change changed "
    "access copy export exported portability transfer status ticket tickets request requests requested "
    "cancel cancelled marketing newsletter newsletters unsubscribe promotional advertising offers calling "
    "personal information informations account address email number phone mobile human person agent "
    "someone data privacy please anymore stop stopped sales contact details profile record records "
    "representative representatives progress receive received submitted waiting numbers accounts contacts "
    "updates stops offer detail purged".split()
)
# Real words one edit from a key word ("charge" is not a misspelt "change").
COMMON = frozenset(
    "chance charge lease states state ticked writing iphone wide wife wine step steps date dates content "
    "contract contracts cope shop mail phones persons profiled objects deletes retail".split()
)
SHORTHAND = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "pleas": "please",
    "dont": "don't",
    "doesnt": "doesn't",
    "didnt": "didn't",
    "cant": "can't",
    "wont": "won't",
    "im": "i'm",
    "ive": "i've",
    "wanna": "want to",
    "gimme": "give me",
    "info": "information",
    "infos": "information",
    "acct": "account",
    "msg": "message",
    "thx": "thanks",
    "whats": "what's",
    "wat": "what",
    "wheres": "where's",
}


def signature() -> list[object]:
    """What the speller reads words as: a change of it changes the features a model was trained on."""
    return [sorted(KEY_WORDS), sorted(COMMON), SHORTHAND]


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` becomes `b` by one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


class Speller:
    """Reads unknown words near a key word as that word; `known` are the words never to change."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known = frozenset(known) | KEY_WORDS | COMMON
        self._seen: dict[str, str] = {}

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> Speller:
        return cls(w for text in texts for w in _LETTERS.findall(text.lower()))

    def word(self, word: str) -> str:
        if word in SHORTHAND:
            return SHORTHAND[word]
        if len(word) < 4 or word in self.known or not word.isalpha():
            return word
        cached = self._seen.get(word)
        if cached is None:
            cached = next((key for key in sorted(KEY_WORDS) if _one_edit(word, key)), word)
            if len(self._seen) < 4096:
                self._seen[word] = cached
        return cached

    def normalise(self, text: str) -> str:
        """The message lower-cased, with shorthand spelt out and near-misses of key words corrected."""
        return "".join(self.word(t) if t[0].isalnum() else t for t in _TOKEN.findall(text.lower()))
