"""Language detection: words other languages share with English do not make a message English."""

from __future__ import annotations

import pytest

from bot.answering.language import detect, gloss


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
