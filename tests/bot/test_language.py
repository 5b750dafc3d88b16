"""Language detection and the glossaries: words other languages share with English do not make a message
English; a message in another language is read, compounds and plain spellings too, as English question words."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.answering.glossary import _parse
from bot.answering.language import detect, gloss
from bot.answering.quality import measure_languages
from knowledge.evaluation import EVAL_DIR, SUITES
from knowledge.yamlfile import load_yaml

MORE_LANGUAGES = EVAL_DIR / "languages_more.yaml"


@pytest.mark.parametrize(
    ("message", "code"),
    [
        # Swedish "i" and "in", French "a", "on" and "me", German "was" and "in", Spanish "a" and "me".
        ("Varför samlar ni in mina uppgifter i portalen?", "sv"),
        ("Vilka uppgifter om mig finns i er portal?", "sv"),
        ("Pouvez-vous me dire combien de temps on a mes données ?", "fr"),
        ("Est-ce que je peux avoir une copie de mes données ?", "fr"),
        ("Was passiert mit meinen Daten in der Cloud?", "de"),
        ("¿Me pueden decir a quién envían mis datos?", "es"),
        # Function words count without their accents too.
        ("Hur lange sparar ni mina uppgifter?", "sv"),
        ("Comment desactiver les cookies ?", "fr"),
        ("Que derechos tengo sobre mis datos?", "es"),
    ],
)
def test_words_shared_with_english_do_not_hide_another_language(message: str, code: str) -> None:
    assert detect(message) == code


@pytest.mark.parametrize(
    "message",
    [
        "Hi, I'm Jukka Virtanen from Espoo, how long is my data kept?",
        "José García from Sevilla here. Can I object to direct marketing?",
        "Is data about Herr Schröder in Düsseldorf transferred outside the EU?",
        "is my data in the EU",
        "cookies",
        "Hej from the Stockholm team, what rights do we have?",
        "Comment: the cookies banner is broken",
        "Pourquoi Café in Paris uses the portal, what data is collected?",
    ],
)
def test_english_with_foreign_names_stays_english(message: str) -> None:
    assert detect(message) == "en"


@pytest.mark.parametrize(
    ("message", "code", "words"),
    [
        ("¿Se transfieren mis datos fuera de la UE?", "es", {"transfer", "outside", "eu"}),
        ("Comment puis-je m'opposer au marketing direct ?", "fr", {"how", "object", "marketing"}),
        ("Wer ist für meine Daten verantwortlich?", "de", {"who", "responsible", "controller"}),
        ("Kan jag klaga hos en myndighet?", "sv", {"complaint", "authority"}),
        ("Miten voin ottaa yhteyttä?", "fi", {"how", "can", "contact"}),
    ],
)
def test_the_glossary_reads_inflections_elisions_and_abbreviations(message: str, code: str, words: set[str]) -> None:
    assert detect(message) == code
    assert words <= set(gloss(message, code).split())


@pytest.mark.parametrize(
    ("message", "code", "words"),
    [
        # Compounds: every known part counts ("Datenschutz-behörde", "tietosuoja-viranomainen").
        ("Wo kann ich mich bei der Datenschutzbehörde beschweren?", "de", {"authority", "complaint"}),
        ("Voinko tehdä valituksen tietosuojaviranomaiselle?", "fi", {"complaint", "authority"}),
        ("Käytättekö analytiikkaevästeitä?", "fi", {"analytics", "cookies"}),
        ("Raderas mina uppgifter när kundrelationen upphör?", "sv", {"delete", "customer", "relationship", "end"}),
        # Spellings without accents or umlauts read as with them.
        ("Mes donnees sont-elles anonymisees apres la duree de conservation ?", "fr", {"data", "anonymous", "keep"}),
        ("Welche Daten werden ueber mich gespeichert und wann loeschen Sie sie?", "de", {"store", "delete", "when"}),
        ("Anonimizan mis datos despues del periodo de conservacion?", "es", {"anonymous", "after", "keep"}),
        # "e-mail", "E-Mail-Adresse", "e-postadress" are one word.
        ("Samlar ni in mitt namn och min e-postadress?", "sv", {"collect", "name", "e-mail"}),
        ("Speichern Sie meine E-Mail-Adresse?", "de", {"store", "e-mail", "address"}),
        # Statement topics beyond the first glossary: sources, safeguards, browser, fees, scope.
        ("¿De dónde obtienen mis datos personales?", "es", {"where", "from", "source"}),
        ("Quelles garanties pour les transferts vers des pays tiers ?", "fr", {"safeguards", "transfer", "outside"}),
        ("Hur kan jag stänga av kakor i min webbläsare?", "sv", {"disable", "cookies", "browser"}),
        ("Peritäänkö pyynnöstä maksu?", "fi", {"fee", "request"}),
        ("Gilt diese Datenschutzerklärung auch für KONE Online?", "de", {"apply", "privacy", "statement"}),
        # Pronouns, negation and "if": "what if I do not want to provide my data" is section 3's question.
        ("Was ist, wenn ich meine Daten nicht angeben möchte?", "de", {"if", "not", "provide", "my", "data"}),
        ("Mitä jos en halua antaa henkilötietojani?", "fi", {"if", "not", "give", "personal", "data"}),
        ("Le traitement de mes données est-il légal ?", "fr", {"process", "lawful", "legal", "basis"}),
    ],
)
def test_the_glossary_reads_compounds_plain_spellings_and_every_topic(message: str, code: str, words: set[str]) -> None:
    assert detect(message) == code
    assert words <= set(gloss(message, code).split())


@pytest.mark.parametrize(
    ("message", "code", "unwanted"),
    [
        ("Werden meine Daten außerhalb der EU übermittelt?", "de", "who"),  # "wer" is a whole word only
        ("Worin besteht Ihr berechtigtes Interesse?", "de", "rights"),  # "recht" inside "berechtigt"
        ("Mikä on KONEen postiosoite?", "fi", "e-mail"),  # "posti" is not "sähköposti"
        ("Mes données sont-elles envoyées aux États-Unis ?", "fr", "status"),  # "état", not "États-Unis"
        ("¿Cuánto cuesta instalar un ascensor nuevo?", "es", "long"),  # "how much", not "how long"
        ("Combien de temps conservez-vous mes données ?", "fr", "much"),  # a phrase's words are not read again
        ("¿Envían mis datos a Estados Unidos?", "es", "status"),
        ("Spåras min aktivitet i portalen?", "sv", "keep"),  # an accent written is meant: not "sparas"
        ("Raderas mina uppgifter när kundrelationen upphör?", "sv", "contact"),  # "när", not "når"
    ],
)
def test_the_glossary_does_not_read_a_word_into_a_longer_one(message: str, code: str, unwanted: str) -> None:
    assert unwanted not in gloss(message, code).split()


def test_a_glossary_entry_that_is_not_key_and_english_fails_at_once() -> None:
    with pytest.raises(ValueError, match="key=English"):
        _parse("fi", "kauan=how long; säilyt")


def _language_sets() -> list[dict[str, Any]]:
    paths = [SUITES["tuning"]["languages"], SUITES["blind-1"]["languages"], MORE_LANGUAGES]
    return [item for path in paths for item in load_yaml(path)]


def test_every_tuning_message_is_detected_and_read() -> None:
    """The tuning language sets, our own included: each in its language, each glossed to something."""
    for item in _language_sets():
        assert detect(item["text"]) == item["lang"], item["text"]
        if item["lang"] != "en" and item.get("type") != "off_topic":
            assert gloss(item["text"], item["lang"]), item["text"]


@pytest.mark.parametrize(
    ("path", "line"),
    [
        # Measured on 2026-12-07: 99 of 112 (the misses are questions the statement answers but the decision
        # reads as not stated even in English, e.g. 'do you collect my name and email address'), 25 of 25,
        # 40 of 40. The lines sit a little below.
        (MORE_LANGUAGES, 0.85),
        (SUITES["tuning"]["languages"], 0.95),
        (SUITES["blind-1"]["languages"], 0.95),
    ],
)
def test_questions_in_other_languages_are_answered_from_the_right_section(
    understanding: Any, path: Path, line: float
) -> None:
    """Each tuning language set, our own (twenty-odd questions a language over every section) included."""
    _, classifier, answerer = understanding
    report = measure_languages(load_yaml(path), classifier, answerer)
    assert report.english_misread == 0, report.misses
    assert report.answered_right / report.answerable >= line, report.misses
