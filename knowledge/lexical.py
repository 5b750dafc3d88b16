"""Lexical signals for retrieval: tokens, light stemming, typo repair, query normalising, BM25."""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

_WORD = re.compile(r"[a-z0-9]+")
_SURFACE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|\S")
STOPWORDS = frozenset(
    """a an and are as at be been but by can could did do does doing for from had has have how i
    if in into is it its me my of on or our please so than that the their them then there these
    they this to u ur us was we were what when where which who whom why will with would you your
    yours im i'm pls plz about any some also just""".split()
)
# Chat shorthand that difflib cannot guess from the vocabulary; used for BM25 tokens and for the
# normalised text that is embedded.
SHORTHAND = {
    "u": "you",
    "ya": "you",
    "ur": "your",
    "yr": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "info": "information",
    "bc": "because",
    "cuz": "because",
    "msg": "message",
    "acct": "account",
    "num": "number",
    "nr": "number",
    "tel": "telephone",
    "whats": "what is",
    "wats": "what is",
    "wat": "what",
    "hw": "how",
    "abt": "about",
    "pers": "personal",
    "intl": "international",
    "im": "i am",
    "dont": "do not",
    "doesnt": "does not",
    "cant": "cannot",
    "wont": "will not",
    "didnt": "did not",
    "isnt": "is not",
    "ppl": "people",
    "thx": "thanks",
}
# "4" means "for" in chat ("what r u using my info 4") but is a number after "section".
_FOR = re.compile(r"(?<!section )\b4\b(?!\s*\d)", re.IGNORECASE)
# Irregular forms a suffix stripper cannot meet ('forget me' / 'right to be forgotten').
IRREGULAR = {
    "forgotten": "forget",
    "forgot": "forget",
    "kept": "keep",
    "sold": "sell",
    "held": "hold",
    "given": "give",
    "gave": "give",
    "taken": "take",
    "took": "take",
    "sent": "send",
    "made": "make",
    "told": "tell",
    "known": "know",
    "knew": "know",
    "paid": "pay",
    "got": "get",
    "gotten": "get",
    "chosen": "choose",
    "written": "write",
    "shown": "show",
    "children": "child",
}
# Suffixes stripped (first match wins); 'ies' and 'ie' both become 'y', so 'cookie'/'cookies'
# meet as 'policy'/'policies' do.
_SUFFIXES = (("ies", "y"), ("ie", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("ly", ""))


def stem(word: str) -> str:
    """A deliberately small stemmer: enough to meet 'cookies'/'cookie', 'deleted'/'delete'."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    for suffix, keep in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: len(word) - len(suffix)] + keep
    return word


def tokens(text: str) -> list[str]:
    """Lower-cased, stop-word-free, stemmed word tokens."""
    words = (w for raw in _WORD.findall(text.lower()) for w in SHORTHAND.get(raw, raw).split())
    return [stem(w) for w in words if w not in STOPWORDS and len(w) > 1]


def closest(word: str, vocabulary: list[str], cutoff: float = 0.75) -> str | None:
    """The vocabulary word `word` is most likely a typo or vowel-dropped form of, if any."""
    close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=cutoff)
    if not close and len(word) <= 4:
        # Vowel-dropping shorthand ('lng' -> 'long'), accepted only when the match is unique.
        pattern = re.compile("^" + ".*".join(map(re.escape, word)) + "$")
        candidates = [w for w in vocabulary if pattern.match(w) and len(w) <= len(word) + 2]
        close = candidates if len(candidates) == 1 else []
    return close[0] if close else None


class Normaliser:
    """Rewrites chat shorthand and typos into words the embedding model and the statement share."""

    def __init__(self, domain: Iterable[str], known: Iterable[str] = ()) -> None:
        # `domain`: surface words of the statement and hints (repair targets);
        # `known`: any other real words (the model's vocabulary), which are never 'repaired'.
        self.domain = sorted({w for w in domain if len(w) > 2 and not w.isdigit()})
        self.known = frozenset(known) | frozenset(self.domain)
        self._known_stems = frozenset(stem(w) for w in self.known)
        # Cached per instance (a cache on the method would keep every old instance alive).
        self.word = lru_cache(maxsize=4096)(self._word)

    def _word(self, word: str) -> str:
        """The normal form of one lower-case word."""
        if word in SHORTHAND:
            return SHORTHAND[word]
        if len(word) < 3 or not word.isalpha() or word in self.known:
            return word
        if stem(word) in self._known_stems:  # an inflection of a real word: 'certifications'
            return word
        return closest(word, self.domain) or word

    def __call__(self, text: str) -> str:
        """`text` with every word normalised (lower-cased), or `text` itself if nothing changed."""
        words = _SURFACE.findall(_FOR.sub("for", text.lower()))
        normal = [self.word(w) for w in words]
        return " ".join(normal) if normal != _SURFACE.findall(text.lower()) else text


class BM25:
    """Okapi BM25 over a fixed list of documents, with query-side typo repair."""

    def __init__(self, documents: list[str], *, k1: float = 1.2, b: float = 0.75, known: Iterable[str] = ()) -> None:
        # Stems of real words ('breach', 'owns') that repair must not bend into other words.
        self.known = frozenset(stem(w) for w in known)
        self.docs = [tokens(d) for d in documents]
        self.k1, self.b = k1, b
        self.avgdl = sum(len(d) for d in self.docs) / max(len(self.docs), 1)
        self.df: Counter[str] = Counter(t for d in self.docs for t in set(d))
        self.tf = [Counter(d) for d in self.docs]
        self.vocabulary = sorted(self.df)
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - df + 0.5) / (df + 0.5)) for t, df in self.df.items()}
        self.repair = lru_cache(maxsize=4096)(self._repair)

    def _repair(self, token: str) -> str | None:
        """Map an unknown query token to the closest vocabulary word ('lng' -> 'long')."""
        if token in self.df:
            return token
        if len(token) < 3 or token.isdigit() or token in self.known:
            return None
        return closest(token, self.vocabulary)

    def query_terms(self, query: str) -> list[str]:
        repaired = (self.repair(t) for t in tokens(query))
        return [t for t in repaired if t]

    def scores(self, query: str) -> list[float]:
        terms = self.query_terms(query)
        result = []
        for tf, doc in zip(self.tf, self.docs, strict=True):
            norm = self.k1 * (1 - self.b + self.b * len(doc) / self.avgdl)
            score = 0.0
            for t in terms:
                f = tf.get(t, 0)
                if f:
                    score += self.idf[t] * f * (self.k1 + 1) / (f + norm)
            result.append(score)
        return result
