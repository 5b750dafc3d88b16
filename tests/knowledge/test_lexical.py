"""Lexical signals: tokens, stemming, typo and shorthand repair, BM25 ranking."""

from __future__ import annotations

from knowledge.lexical import BM25, Normaliser, stem, tokens


def test_tokens_are_lower_case_stemmed_and_without_stop_words() -> None:
    assert tokens("How long do you keep my Cookies?") == ["long", "keep", "cooky"]
    assert tokens("Deleted, deleting, deletes") == ["delet", "delet", "delet"]


def test_chat_shorthand_expands_before_stop_words_drop() -> None:
    assert tokens("whats ur info") == ["information"]
    assert tokens("pls send acct info") == ["send", "account", "information"]


def test_stem_meets_plural_and_irregular_forms() -> None:
    assert stem("cookies") == stem("cookie") and stem("policies") == stem("policy")
    assert stem("forgotten") == stem("forget") == "forget"
    assert stem("use") == "use"  # too short to strip


def test_bm25_repairs_typos_against_its_vocabulary() -> None:
    bm25 = BM25(["The data is kept as long as needed.", "Cookies are small files."])
    assert bm25.repair("lng") == "long"  # vowel-dropped
    assert bm25.query_terms("cokies") == ["cooky"]  # a dropped letter, after stemming
    assert bm25.repair("zzzz") is None
    assert bm25.query_terms("how lng do u keep it") == ["long", "keep"]


def test_bm25_leaves_real_words_alone() -> None:
    # 'breach' is close to 'reach', but it is a real word: bending it would invent a match.
    bm25 = BM25(["Who can I reach about my data?"], known=["breach"])
    assert bm25.repair("breach") is None
    assert BM25(["Who can I reach about my data?"]).repair("breach") == "reach"


def test_bm25_ranks_the_document_with_the_rare_matching_words_first() -> None:
    docs = [
        "Personal data will be stored as long as needed for the purposes it was collected for.",
        "KONE may place cookies on your computer or mobile device.",
        "You may object to direct marketing.",
    ]
    scores = BM25(docs).scores("how lng do you store my data")
    assert max(range(len(docs)), key=scores.__getitem__) == 0
    cookie_scores = BM25(docs).scores("cookie on my phone")
    assert max(range(len(docs)), key=cookie_scores.__getitem__) == 1


def test_normaliser_rewrites_shorthand_and_typos_but_keeps_unchanged_text() -> None:
    domain = ["long", "keep", "data", "cookies", "contact"]
    normalise = Normaliser(domain, known=["how", "do", "my", "you"])
    assert normalise("how lng do u keep my data") == "how long do you keep my data"
    assert normalise("what r u using my info 4") == "what are you using my information for"
    assert normalise("see section 4") == "see section 4"  # a number after 'section' stays a number
    unchanged = "How do I keep my data?"
    assert normalise(unchanged) is unchanged  # nothing to repair: the caller embeds it only once
