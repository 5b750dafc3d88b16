"""The speller reads misspelt request words as those words and leaves real words alone."""

from __future__ import annotations

import pytest

from bot.answering.spelling import Speller

SPELLER = Speller.from_texts(["We keep the date and time of each request you make in the portal."])


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("I obejct to the procesing of my data", "i object to the processing of my data"),
        ("deleet all my personel data", "delete all my personal data"),
        ("whats the staus of my tikcet", "what's the status of my ticket"),
        ("dont want ur offers anymore pls", "don't want your offers anymore please"),
    ],
)
def test_misspelt_key_words_and_shorthand_are_read_as_meant(text: str, read: str) -> None:
    assert SPELLER.normalise(text) == read


@pytest.mark.parametrize("text", ["the date of the request", "a chance to change the contract", "we charge no fee"])
def test_real_words_near_a_key_word_stay(text: str) -> None:
    assert SPELLER.normalise(text) == text
