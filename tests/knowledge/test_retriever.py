"""Retrieval over the real statement, hints and model: right passages, their evidence, a gate.

Whether a passage answers the question is the answering layer's learned decision
(tests/bot/test_decision.py); here only the ranking, the quotes and the evidence are checked."""

from __future__ import annotations

from knowledge.evaluation import EVAL_DIR, Outcome, evaluate, load_cases
from knowledge.retriever import Retrieval, Retriever

EVAL_SET = EVAL_DIR / "retrieval_eval.yaml"

# What the ranking alone reaches on knowledge/eval/retrieval_eval.yaml (the best passage's quote holds
# the right passage), minus a margin for noise, so that a change that makes retrieval worse fails.
MIN_ANSWER_ACCURACY = 0.89


def quoted_ids(result: Retrieval) -> set[str]:
    return {p.id for q in result.quotes for p in q.passages}


def test_a_paraphrase_finds_the_deletion_passage(retriever: Retriever) -> None:
    result = retriever.search("can you forget me?")
    assert set(result.sections) & {"7", "3"}
    assert "deleted" in " ".join(q.text for q in result.quotes)


def test_chat_typos_find_the_retention_passage(retriever: Retriever) -> None:
    result = retriever.search("how lng do u keep my data")
    assert result.top is not None
    assert result.top.passage.id == "s4-p02"
    assert "as long as needed" in result.quotes[0].text


def test_one_word_finds_its_section(retriever: Retriever) -> None:
    result = retriever.search("cookies")
    assert result.sections[0] == "5"


def test_words_not_in_the_statement_still_find_the_controller(retriever: Retriever) -> None:
    result = retriever.search("who is responsible for my data?")
    assert result.sections == ["1"]
    assert "KONE Corporation" in result.quotes[0].text


def test_evidence_tells_a_known_gap_from_an_answer(retriever: Retriever) -> None:
    answered = retriever.search("how long do you keep my data?").evidence
    gap = retriever.search("has KONE been hacked?").evidence
    assert answered.dense > gap.dense and answered.unanswered_gap < gap.unanswered_gap
    assert gap.named == 1.0  # 'hacked' is a word of a known-unanswered topic the statement never uses
    assert answered.known == 1.0 > gap.known  # ... so the statement's vocabulary does not know it
    assert len(answered.features()) == 18


def test_a_list_lead_in_is_quoted_with_its_items(retriever: Retriever) -> None:
    result = retriever.search("what kinds of cookies do you use?")
    quote = result.quotes[0]
    assert [p.id for p in quote.passages] == ["s5-p02", "s5-p03", "s5-p04", "s5-p05"]
    lines = quote.text.splitlines()
    assert lines[0].endswith("following categories:") and lines[1].startswith("Necessary cookies")


def test_a_list_item_is_quoted_after_its_lead_in(retriever: Retriever) -> None:
    result = retriever.search("is my data used for invoicing?")
    quote = result.quotes[0]
    assert "s3-p06" in {p.id for p in quote.passages}
    assert quote.text.startswith("The purpose of collecting and processing the personal data")


def test_a_cross_reference_is_followed(retriever: Retriever) -> None:
    # s7-p05 says "(please see contact information above in Section 1)".
    result = retriever.search("how do I withdraw my consent?")
    assert result.sections[:2] == ["7", "1"]
    assert "s7-p05" in quoted_ids(result)
    assert "contact form" in result.quotes[1].text


def test_the_sentence_completing_the_best_one_is_quoted_with_it(retriever: Retriever) -> None:
    result = retriever.search("what happens if i revoke my consent")
    assert {"s7-p05", "s7-p06"} <= quoted_ids(result)


def test_quotes_carry_citable_sections(retriever: Retriever) -> None:
    result = retriever.search("is my data transferred outside the EU?")
    quote = result.quotes[0]
    assert quote.section.number == "6" and quote.section.label.startswith("Section 6")
    assert all(p.section == "6" for p in quote.passages)


def test_quality_gate_on_the_evaluation_set(retriever: Retriever) -> None:
    cases = [c for c in load_cases(EVAL_SET) if c.answerable]

    def answer(question: str) -> Outcome:
        result = retriever.search(question)
        ranked = tuple((h.passage.section, h.passage.text) for h in result.hits)
        return Outcome(tuple(result.sections), " ".join(q.text for q in result.quotes), ranked)

    report = evaluate(cases, answer)
    failures = "\n".join(f"{c.question!r}: got {o.sections}" for c, o in report.failures)
    assert report.answer_accuracy >= MIN_ANSWER_ACCURACY, failures
