"""The glossaries that read a message in another language as English question words.

Each language's table (`glossary_tables.py`) lists `key=English` pairs, one topic of the statement a
line. A key is matched against the words of the message with accents and umlauts folded on both sides
("donnees", "loeschen", "sailytetaan" read as "données", "löschen", "säilytetään"), but an accent the
message writes is meant ("spåras" is not "sparas"):
- `word`   a word beginning: Finnish cases, German and Romance endings ("säilyt" in "säilytätte");
- `=word`  the whole word only, for short words that begin longer ones ("=wer", not "werden");
- `-word`  anywhere in a word: the parts of compounds ("Datenschutz-behörde", "tietosuoja-viranomainen");
- `a b`    a phrase, matched in the message's text ("kuinka kauan", "base légale"); its words are not
           read again one by one.
A word takes the English of its longest matching beginning, plus that of the compound parts after it.
This reads the usual privacy questions and requests; it is not a translator.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.answering.glossary_tables import TABLES

_LETTERS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_ACCENTED = frozenset("äöåüéèêëàâçñáíóúùûîïô")  # not "ß": "ss" spells it as well
_E_PREFIX = re.compile(r"(?<!\w)([eE])-(?=[^\W\d_])")
_ELISION = re.compile(r"^(?:m|l|d|j|qu|s|n|t|c)'")  # French "m'opposer", "l'UE": the word after the apostrophe


def fold(text: str, language: str) -> str:
    """Lower case without accents ("Löschung" → "loschung"); German "oe" and "ue" fold like "ö" and "ü"."""
    text = unicodedata.normalize("NFKD", text.lower().replace("ß", "ss"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    if language == "de":
        text = text.replace("ae", "a").replace("oe", "o").replace("ue", "u")
    return text


@dataclass(frozen=True)
class Glossary:
    """One language's keys by kind, folded: whole words and beginnings (with the key as written), compound
    parts and phrases."""

    language: str
    whole: dict[str, list[tuple[str, str]]]  # folded key → [(key as written, English)]: "när", "når"
    beginnings: dict[str, list[tuple[str, str]]]
    parts: dict[str, str]
    phrases: tuple[tuple[re.Pattern[str], str], ...]

    def english(self, text: str) -> list[str]:
        """The English of the message's phrases and words, in the order they come."""
        text = _E_PREFIX.sub(r"\1", text)  # "e-mail", "E-Mail-Adresse", "e-postadress": one word
        folded = fold(text, self.language)
        matches = [(m.span(), meaning) for pattern, meaning in self.phrases for m in pattern.finditer(folded)]
        found = [(start, meaning) for (start, _), meaning in matches]
        position = 0
        for match in _LETTERS.finditer(text):
            word = _ELISION.sub("", match.group().lower())
            position = max(folded.find(fold(word, self.language), position), position)
            if not any(start <= position < end for (start, end), _ in matches):  # "combien de temps" is one
                found += [(position, meaning) for meaning in self.word(word)]
        return [meaning for _, meaning in sorted(found, key=lambda item: item[0])]

    def word(self, word: str) -> list[str]:
        """The English of one lower-case word: its longest known beginning, then the compound parts after it.

        A message may leave accents out ("donnees" is "données"), but an accent it writes is meant:
        Swedish "spåras" (tracked) does not begin with "spara" (keep)."""
        folded = fold(word, self.language)
        best = self._agreeing(word, self.whole.get(folded, ()))
        length = len(folded) if best else 0
        for end in range(len(folded), length, -1):
            meaning = self._agreeing(word, self.beginnings.get(folded[:end], ()))
            if meaning:
                best, length = meaning, end
                break
        rest = folded[length:]
        return [best] * bool(best) + [meaning for part, meaning in self.parts.items() if part in rest]

    def _agreeing(self, word: str, keys: Sequence[tuple[str, str]]) -> str:
        """The English of the first key (as written, English) whose accents `word` agrees with."""
        return next((meaning for key, meaning in keys if _agrees(word, key, self.language)), "")


def _agrees(word: str, key: str, language: str) -> bool:
    """Whether the accents `word` writes where it matches `key` are the key's (or the key has none)."""
    size = len(fold(key, language))
    start = next((k for k in range(1, len(word) + 1) if len(fold(word[:k], language)) >= size), len(word))
    written = [c for c in word[:start] if c in _ACCENTED]
    keyed = iter(c for c in key if c in _ACCENTED)
    return all(c in keyed for c in written)  # the word's accents, in order, among the key's


def _parse(language: str, table: str) -> Glossary:
    """One table's entries by kind; a malformed entry fails at import, not at a user's message."""
    kinds: dict[str, dict[str, str]] = {"=": {}, "-": {}, "": {}}
    phrases: list[tuple[re.Pattern[str], str]] = []
    for entry in filter(None, (e.strip() for e in " ".join(table.split()).split(";"))):
        kind = entry[0] if entry[0] in "=-" else ""
        key, _, meaning = (part.strip() for part in entry.lstrip("=-").partition("="))
        key = key.lower()
        if not key or not meaning:
            raise ValueError(f"glossary {language}: {entry!r} is not key=English")
        if re.fullmatch(r"[^\W\d_]+", key):
            kinds[kind][key] = meaning
        else:  # several words, a hyphen or an apostrophe: matched in the message's folded text
            phrases.append((re.compile(r"(?<!\w)" + re.escape(fold(key, language))), meaning))

    def folded(keys: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
        table: dict[str, list[tuple[str, str]]] = {}
        for key, meaning in keys.items():
            table.setdefault(fold(key, language), []).append((key, meaning))
        return table

    parts = {fold(key, language): meaning for key, meaning in kinds["-"].items()}
    return Glossary(language, folded(kinds["="]), folded(kinds[""]), parts, tuple(phrases))


GLOSSARIES: dict[str, Glossary] = {code: _parse(code, table) for code, table in TABLES.items()}
