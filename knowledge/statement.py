"""The privacy statement as structured knowledge: sections, passages and their citations."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from knowledge.yamlfile import load_yaml

STATEMENT_PATH = Path(__file__).with_name("statement.md")

_HEADING = re.compile(r"^##\s+(?:(\d+)\.\s+)?(.+?)\s*$")
# A sentence ends at . ! ? followed by a space and an upper-case letter or a quote; this keeps
# "e.g. by", "www.kone.com/en" and "(i) the length" inside their sentences.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"(])")
_CROSS_REF = re.compile(r"\bsee (?:contact information above in )?Section (\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class Passage:
    """The smallest quotable unit: one sentence or one list item, in its section."""

    id: str
    section: str
    text: str
    position: int
    # The sentence introducing a list ("...legitimate interest to:"), shown with list items.
    lead: str | None = None

    @property
    def cross_reference(self) -> str | None:
        """The section this passage points the reader to, if it is a pointer."""
        match = _CROSS_REF.search(self.text)
        return match.group(1) if match else None


@dataclass(frozen=True)
class Section:
    """A numbered section of the statement ("intro" for the unnumbered introduction)."""

    number: str
    title: str
    text: str
    passages: tuple[Passage, ...] = field(default=())

    @property
    def label(self) -> str:
        """How a reply names the section: 'Section 4 – Sources …' or the intro's title."""
        return self.title if self.number == "intro" else f"Section {self.number} – {self.title}"


@dataclass(frozen=True)
class Statement:
    """The whole statement: version, title and ordered sections."""

    title: str
    version: str
    sections: tuple[Section, ...]
    source_text: str
    subtitle: tuple[str, ...] = ()  # the lines between the title and the first section (quotable)

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.source_text.encode("utf-8")).hexdigest()

    def section(self, number: str) -> Section | None:
        return next((s for s in self.sections if s.number == number), None)

    def passage(self, passage_id: str) -> Passage | None:
        return next((p for s in self.sections for p in s.passages if p.id == passage_id), None)

    def has_passage(self, passage_id: str) -> bool:
        return self.passage(passage_id) is not None

    @property
    def passages(self) -> list[Passage]:
        return [p for s in self.sections for p in s.passages]


def split_sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences without breaking abbreviations or addresses."""
    parts = _SENTENCE_END.split(paragraph.strip())
    return [p.strip() for p in parts if p.strip()]


def _merge_short_lines(blocks: list[str]) -> list[str]:
    """Join runs of short one-line paragraphs (an address, a phone number) into one block."""
    merged: list[str] = []
    run: list[str] = []
    for block in blocks:
        text = block.strip()
        if "\n" not in text and len(text) < 60 and not text.endswith(".") and not text.startswith("- "):
            run.append(text)
            continue
        if run:
            merged.append("\n".join(run))
            run = []
        merged.append(block)
    if run:
        merged.append("\n".join(run))
    return merged


def _passages(number: str, body: str) -> tuple[Passage, ...]:
    passages: list[Passage] = []
    lead: str | None = None
    for block in _merge_short_lines(re.split(r"\n\s*\n", body.strip())):
        lines = [line.rstrip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if len(lines) > 1 and not lines[0].startswith("- "):
            # An address-like block of short lines is quoted as it stands, line breaks kept.
            passages.append(Passage(f"s{number}-p{len(passages):02d}", number, "\n".join(lines), len(passages)))
            continue
        if all(line.startswith("- ") for line in lines):
            units = [(line[2:].strip(), lead) for line in lines]
        else:
            sentences = split_sentences(" ".join(lines))
            units = [(s, None) for s in sentences]
            lead = sentences[-1] if sentences and sentences[-1].endswith(":") else None
        for text, unit_lead in units:
            position = len(passages)
            passages.append(Passage(f"s{number}-p{position:02d}", number, text, position, unit_lead))
    return tuple(passages)


def parse_statement(text: str) -> Statement:
    """Parse the Markdown statement: front matter, '## N. Title' sections, a '---' footer."""
    meta: dict[str, object] = {}
    body = text
    if text.startswith("---\n"):
        _, front, body = text.split("---\n", 2)
        meta = load_yaml(front) or {}
    # A thematic break after the last section separates page footer chrome from content.
    body = re.split(r"\n---\s*\n", body, maxsplit=1)[0]
    sections: list[Section] = []
    current: tuple[str, str] | None = None
    lines: list[str] = []

    def close() -> None:
        if current is not None:
            content = "\n".join(lines).strip()
            sections.append(Section(current[0], current[1], content, _passages(current[0], content)))

    preamble: list[str] = []  # the document's subtitle, between its title and the first section
    for line in body.splitlines():
        match = _HEADING.match(line)
        if match:
            close()
            current = (match.group(1) or "intro", match.group(2))
            lines = []
        elif current is not None:
            lines.append(line)
        elif line.strip() and not line.startswith("#"):
            preamble.append(line.strip())
    close()
    if not sections:
        raise ValueError("the statement has no '## ' sections")
    if preamble and sections[0].number == "intro":
        # The subtitle names the portals the statement covers: quotable, after the intro's own passages.
        intro = sections[0]
        extra = tuple(
            Passage(f"sintro-p{len(intro.passages) + i:02d}", "intro", text, len(intro.passages) + i)
            for i, text in enumerate(preamble)
        )
        sections[0] = Section(intro.number, intro.title, intro.text, intro.passages + extra)
    return Statement(
        title=str(meta.get("title", "Privacy statement")),
        version=str(meta.get("version", "0")),
        sections=tuple(sections),
        source_text=text,
        subtitle=tuple(preamble),
    )


@lru_cache(maxsize=4)
def load_statement(path: Path = STATEMENT_PATH) -> Statement:
    """Read and parse the statement file (cached: it is immutable at run time)."""
    return parse_statement(path.read_text(encoding="utf-8"))
