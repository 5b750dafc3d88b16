"""The statement in knowledge/ is the source statement, word for word, in numbered sections."""

from __future__ import annotations

import re
from pathlib import Path

from knowledge.statement import load_statement, parse_statement, split_sentences

SEED = Path(__file__).resolve().parent.parent / "data" / "myKONE-privacy-statement.txt"
STATEMENT = Path(__file__).resolve().parents[2] / "knowledge" / "statement.md"


def _words(text: str) -> list[str]:
    return re.findall(r"[^\s•]+", text)


def test_markdown_is_the_seed_word_for_word() -> None:
    seed_lines = SEED.read_text(encoding="utf-8").splitlines()[1:]  # line 1 is page chrome
    markdown = STATEMENT.read_text(encoding="utf-8")
    body = markdown.split("---\n", 2)[2]  # drop the front matter
    # Our additions are the '## ' headings (DESIGN §3: headings are ours to word) and markup.
    content = [line for line in body.splitlines() if not line.startswith("## ") and line.strip() != "---"]
    text = "\n".join(content).replace("# myKONE", "myKONE", 1)
    text = re.sub(r"^- ", "", text, flags=re.M)
    assert _words(text) == _words("\n".join(seed_lines))


def test_sections_are_the_designed_ones_with_a_version() -> None:
    statement = load_statement()
    assert statement.version
    assert [s.number for s in statement.sections] == ["intro", "1", "2", "3", "4", "5", "6", "7"]
    assert statement.section("4").label.startswith("Section 4 – ")
    assert "retention" in statement.section("4").title.lower()
    assert "cookie" in statement.section("5").title.lower()
    assert all(s.passages for s in statement.sections)


def test_passages_know_their_section_and_lists_their_lead() -> None:
    statement = load_statement()
    item = next(p for p in statement.section("7").passages if p.text.startswith("object to direct marketing"))
    assert item.section == "7"
    assert item.lead and item.lead.endswith(":")
    assert statement.passage(item.id) == item
    pointer = next(p for p in statement.section("4").passages if "Section 5" in p.text)
    assert pointer.cross_reference == "5"


def test_sentence_split_keeps_abbreviations_and_addresses() -> None:
    text = "It may be processed outside the EU/EEA e.g. by other KONE companies. See www.kone.com/en for more. Done."
    assert split_sentences(text) == [
        "It may be processed outside the EU/EEA e.g. by other KONE companies.",
        "See www.kone.com/en for more.",
        "Done.",
    ]


def test_footer_after_a_break_is_not_content() -> None:
    statement = parse_statement("---\ntitle: T\nversion: '2'\n---\n## 1. One\n\nBody text.\n\n---\n\nFooter\n")
    assert statement.version == "2"
    assert [p.text for p in statement.passages] == ["Body text."]
