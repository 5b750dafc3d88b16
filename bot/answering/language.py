"""Messages not written in English: detect the language, say in it what the bot can do, and still
understand the question when its key words are known.

Detection uses lingua (models compiled into the package; low-accuracy mode, six languages: about
20 MB, loaded on first use). English words guard against false alarms on English text that names
Finnish or German people and places. The notices are our own translations (`language_text.py`),
never machine translation; a message is understood through a small glossary of the statement's
topics, which turns "Kuinka kauan säilytätte tietojani?" into the English question words
"how long keep data" for the classifier and the retriever. The answer itself stays in English,
quoted from the English statement (an LLM, when configured, phrases it in the user's language).
"""

from __future__ import annotations

import re
import threading
from typing import Any

from bot.answering.glossary import GLOSSARIES, fold
from bot.answering.language_text import GREETINGS, NOTICES
from bot.answering.spelling import KEY_WORDS, Speller

SUPPORTED = tuple(NOTICES)  # fi, sv, de, fr, es
# Short English words that other languages rarely use: two of them settle a message as English.
_ENGLISH = frozenset(
    """the a an and or of to in on for is are was be been do does did you your my me i i'm it its this that
    what which who whom why when where how can could would should will shall may might have has with
    from about please any there their they we our us not if so just get got want know tell keep""".split()
)
# ... except these, which are also everyday words of a supported language ("i" and "in" in Swedish,
# "a", "on" and "me" in French, "was", "in" and "so" in German, "a" and "me" in Spanish): they count
# half, and a message with more function words of another language than English ones goes to lingua.
_SHARED = frozenset("a an i in on me was will so just for no".split())
# Everyday function words of each supported language: when one language clearly has the most, that
# settles it (lingua's low-accuracy mode can misread a short sentence: "Quelle est l'adresse postale
# de KONE ?" came out German). Compared without accents, so "Mita evasteita kaytatte?" counts too.
_FUNCTION_WORDS = {
    code: frozenset(fold(word, "") for word in words.split())
    for code, words in {
        "fi": "ja että onko minun mitä miten kuinka voinko ovat tietoni minulla mikä missä kuka ei",
        "sv": "och jag ni är mina mitt min det att som hur vad vilka har inte med om från vi ett dina era",
        "de": "und ich sie der die das ist mit meine meinen meiner nicht werden wie wer bitte zu auf ein eine ihre uns",
        "fr": "les des est vous mes je et de du le la pour que qui pas une un avec sur dans nos vos sont quels quelles"
        " quelle quel comment pourquoi combien où",
        "es": "los las el mis mi del por para una con es son sus cómo qué cuánto puedo de la que",
    }.items()
}
_FOREIGN = frozenset().union(*_FUNCTION_WORDS.values())
_READER = Speller(())
_REQUEST_WORDS = KEY_WORDS - frozenset(
    "data status portal information informations personal correction rectification objection objections "
    "process transfer contact record request requests number".split()
)
_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_MIN_CONFIDENCE = 0.5
_ELISION = re.compile(r"^(?:m|l|d|j|qu|s|n|t|c)'")  # French "m'opposer", "l'UE": the word after the apostrophe
# Names and abbreviations the statement uses itself, kept as they are.
_KEPT = frozenset({"kone", "mykone", "eu", "eea", "crm", "gdpr", "portal", "cookies", "cookie", "online"})
_detector: Any = None
_lock = threading.Lock()


def _lingua() -> Any:
    """The detector for English and the five supported languages, built once per process."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                languages = [getattr(Language, name) for name in ("ENGLISH", "FINNISH", "SWEDISH", "GERMAN")]
                languages += [Language.FRENCH, Language.SPANISH]
                _detector = LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
    return _detector


def detect(text: str) -> str:
    """'en', or the ISO code of a supported language the message is clearly written in."""
    words = [w.lower() for w in _WORDS.findall(text)]
    plain = [fold(w, "") for w in words]
    if not words:
        return "en"
    english = sum(1.0 if w not in _SHARED else 0.5 for w in words if w in _ENGLISH)
    # The words of a request, misspelt or not ("delet my acount", "I no longer consent"), are English
    # too; words other languages share ("data", "status", "portal") are not counted.
    english += sum(_READER.word(w) in _REQUEST_WORDS for w in words if w not in _ENGLISH)
    foreign = sum(w in _FOREIGN for w in plain)
    looks_english = english >= 2 or (english and len(words) <= 3)
    if looks_english and (foreign < 2 or foreign <= english):
        return "en"
    for code, greetings in GREETINGS.items():
        if words[0] in greetings and len(words) <= 3:
            return code
    if len(words) < 2 and not _foreign_letters(text):
        return "en"  # one plain word ('cookies', 'GDPR') is read as English
    counts = sorted(((sum(w in fw for w in plain), code) for code, fw in _FUNCTION_WORDS.items()), reverse=True)
    (most, code), (second, _) = counts[0], counts[1]
    if most >= 2 and most >= 2 * second:
        return code
    values = _lingua().compute_language_confidence_values(text)
    if not values:
        return "en"
    best = values[0]
    code = str(best.language.iso_code_639_1.name).lower()
    if code == "en" or code not in NOTICES or best.value < _MIN_CONFIDENCE:
        return "en"
    return code


def _foreign_letters(text: str) -> bool:
    return bool(re.search(r"[äöåüßéèêàçñáíóúù¿¡]", text, re.I))


def gloss(text: str, language: str) -> str:
    """The message's known words in English ('how long keep data'); '' when none is known."""
    glossary = GLOSSARIES.get(language)
    if glossary is None:
        return ""
    out = glossary.english(text)
    for word in (_ELISION.sub("", w.lower()) for w in _WORDS.findall(text)):
        if word in GREETINGS.get(language, ()):
            out.insert(0, "hello")
        elif word in _KEPT and not glossary.word(word):
            out.append(word)
    return " ".join(dict.fromkeys(" ".join(out).split()))


def notice(language: str) -> str:
    """What the bot can do, and that it answers in English from the English statement."""
    return str(NOTICES[language]["notice"])


def phrase(language: str, key: str) -> str:
    """One of the short interface phrases ('answer_follows', 'write_in_english') in `language`."""
    return str(NOTICES[language][key])
