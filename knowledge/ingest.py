"""Ingest: split the statement by section then size, embed offline, store in Chroma.

Each version of the knowledge (statement text, retrieval hints, splitting parameters and model)
gets its own collection named after its content hash. Ingest upserts stable ids and only then
marks the collection complete, so it is idempotent, safe when several processes start at once,
and an unchanged statement is never re-embedded.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from knowledge.statement import STATEMENT_PATH, Statement, load_statement
from knowledge.yamlfile import load_yaml

HINTS_PATH = Path(__file__).with_name("hints.yaml")
COLLECTION_PREFIX = "privacy-statement"
CHUNK_SIZE = 600
CHUNK_OVERLAP = 80
# Privacy topics people ask about that the statement does NOT answer, filed under the section
# where a reader would look for them. They are indexed as kind "unanswered" so that a question
# closer to one of them than to any passage is declined instead of being answered with the
# nearest, wrong, passage. Short, generic wording: one topic per line, its own key words.
UNANSWERED_TOPICS: dict[str, tuple[str, ...]] = {
    "intro": (
        "joint controllership between KONE and the customer company",
        "earlier versions and the change history of this statement",
        "changes and updates to this privacy statement",
        "when was this privacy policy last updated",
        "will I be notified about a new version of the policy",
    ),
    "1": (
        "data protection officer",
        "DPO contact email",
        "chief privacy officer",
        "an EU or UK representative for privacy matters",
        "a privacy e-mail address or the opening hours of the phone line",
        "a privacy contact person in my country",
    ),
    "2": (
        "device information: IP address, browser type and operating system",
        "access to the phone's camera, contacts or microphone",
        "children's data",
        "minors under 16",
        "biometric data and facial recognition",
        "health or other sensitive personal data",
        "recording phone calls",
        "location tracking and GPS",
    ),
    "3": (
        "the names of the CRM tools or software vendors used",
        "a list of the recipients of my personal data",
        "selling personal data to third parties",
        "do you sell my information",
        "data brokers and monetising user data",
        "training artificial intelligence or machine learning models with user data",
        "generative AI such as ChatGPT",
        "automated decision-making and profiling",
        "credit checks",
        "research and statistics",
        "mergers and acquisitions: data when the company is sold",
    ),
    "4": (
        "deleting data from backups",
        "the technique used to anonymise data",
        "how long log files are kept",
        "data breach",
        "was my personal data leaked or hacked",
        "security incident notification",
        "is my data encrypted",
        "security measures and access controls",
        "how passwords are stored",
        "ISO 27001 or SOC 2 certification",
        "independent security audit",
        "security certification or accreditation",
    ),
    "5": (
        "the names of individual cookies and analytics vendors such as Google Analytics",
        "the names of the marketing partners or advertising networks",
        "Do Not Track or Global Privacy Control browser signals",
        "device fingerprinting, session recording and tracking pixels",
    ),
    "6": (
        "standard contractual clauses or an adequacy decision",
        "the countries where data is stored and where the servers are located",
        "outsourced support teams in other countries",
        "requests from police or government authorities for user data",
        "list of sub-processors and vendors",
        "which cloud provider or data centre hosts the portal",
        "hosting on AWS, Azure or Google Cloud",
    ),
    "7": (
        "right to restriction of processing",
        "verifying my identity before a request is handled",
        "someone else making a request on my behalf",
        "telling the recipients of my data about a correction or deletion",
        "right of access to my personal data",
        "request a copy of all personal data held about me",
        "subject access request (DSAR)",
        "download all my data",
        "export my data for data portability",
        "deadline to respond to a data subject request",
        "how many days until my request is answered",
        "response time of one month or 30 days",
        "CCPA California privacy rights",
        "do not sell my personal information",
        "HIPAA compliance",
        "US or Canadian privacy law compliance",
        "data protection impact assessment (DPIA)",
    ),
}
# Bump the number when the document layout below changes. The topics are indexed content that the
# fingerprint does not see, so their digest is part of the format: editing them re-ingests.
_TOPICS_JSON = json.dumps(UNANSWERED_TOPICS, sort_keys=True)
INGEST_FORMAT = f"4-{hashlib.sha256(_TOPICS_JSON.encode()).hexdigest()[:8]}"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class KnowledgeSource:
    """What gets indexed: the statement plus question-style hints pointing at its passages."""

    statement: Statement
    hints: dict[str, list[str]]

    @classmethod
    def load(cls, statement_path: Path = STATEMENT_PATH, hints_path: Path | None = HINTS_PATH) -> KnowledgeSource:
        statement = load_statement(statement_path)
        hints: dict[str, list[str]] = {}
        if hints_path is not None and hints_path.exists():
            hints = load_yaml(hints_path) or {}
        unknown = [pid for pid in hints if statement.passage(pid) is None]
        if unknown:
            raise ValueError(f"hints refer to passages that do not exist: {', '.join(unknown)}")
        return cls(statement, hints)

    def fingerprint(self, model_name: str) -> str:
        payload = json.dumps(
            {
                "statement": self.statement.content_hash,
                "hints": self.hints,
                "chunk": [CHUNK_SIZE, CHUNK_OVERLAP],
                "model": model_name,
                "format": INGEST_FORMAT,
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def chroma_client(*, path: str, url: str | None = None) -> chromadb.ClientAPI:
    """A Chroma server client when `url` is set, else a persistent local store at `path`."""
    settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url)
        return chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=settings,
        )
    Path(path).mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=path, settings=settings)


def collection_name(source: KnowledgeSource, embeddings: Embeddings | str) -> str:
    """The collection for this knowledge and model (a model name is enough: no need to load it)."""
    model = embeddings if isinstance(embeddings, str) else getattr(embeddings, "name", type(embeddings).__name__)
    return f"{COLLECTION_PREFIX}-{source.fingerprint(model)}"


def build_documents(source: KnowledgeSource) -> list[Document]:
    """Passages (quotable units), section chunks (context), hints and known-unanswered topics,
    each with section metadata."""
    statement = source.statement
    docs: list[Document] = []
    for section in statement.sections:
        for passage in section.passages:
            # Embed list items with their lead-in and every unit with its section title, so
            # "object to direct marketing; and" still reads as a right in section 7.
            context = " ".join(filter(None, [section.title + ".", passage.lead, passage.text]))
            docs.append(
                Document(
                    id=passage.id,
                    page_content=context,
                    metadata={"kind": "passage", "section": section.number, "passage_id": passage.id},
                )
            )
    markdown = "\n\n".join(f"## {s.number} {s.title}\n\n{s.text}" for s in statement.sections)
    by_header = MarkdownHeaderTextSplitter(headers_to_split_on=[("##", "heading")], strip_headers=False)
    by_size = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    for header_doc in by_header.split_text(markdown):
        number = header_doc.metadata["heading"].split(" ", 1)[0]
        for i, chunk in enumerate(by_size.split_text(header_doc.page_content)):
            docs.append(
                Document(id=f"s{number}-c{i:02d}", page_content=chunk, metadata={"kind": "chunk", "section": number})
            )
    for passage_id, questions in source.hints.items():
        hinted = statement.passage(passage_id)
        assert hinted is not None  # a test checks every hint names a passage
        for i, question in enumerate(questions):
            docs.append(
                Document(
                    id=f"{passage_id}-h{i:02d}",
                    page_content=question,
                    metadata={"kind": "hint", "section": hinted.section, "passage_id": passage_id},
                )
            )
    for number, topics in UNANSWERED_TOPICS.items():
        for i, topic in enumerate(topics):
            docs.append(
                Document(
                    id=f"s{number}-u{i:02d}", page_content=topic, metadata={"kind": "unanswered", "section": number}
                )
            )
    return docs


def ingest(
    *,
    client: chromadb.ClientAPI,
    embeddings: Embeddings,
    source: KnowledgeSource,
    progress: Progress | None = None,
    batch_size: int = 32,
) -> tuple[str, bool]:
    """Index `source` if its collection is missing or incomplete. Returns (collection, changed)."""
    name = collection_name(source, embeddings)
    report = progress or (lambda stage, done, total: None)
    if is_current(client, name):
        report("up to date", 1, 1)
        return name, False
    store = Chroma(
        collection_name=name,
        embedding_function=embeddings,
        client=client,
        collection_metadata={"hnsw:space": "cosine", "complete": False},
    )
    docs = build_documents(source)
    for start in range(0, len(docs), batch_size):
        batch = docs[start : start + batch_size]
        # Upsert by stable id: a concurrent or interrupted ingest converges on the same content.
        store.add_documents(batch, ids=[d.id for d in batch])
        report("embedding", min(start + batch_size, len(docs)), len(docs))
    collection = client.get_collection(name)
    collection.modify(metadata={"complete": True, "version": source.statement.version})
    _drop_stale_collections(client, keep=name)
    report("done", len(docs), len(docs))
    return name, True


def is_current(client: chromadb.ClientAPI, name: str) -> bool:
    """True when the collection for this exact knowledge exists and finished ingesting."""
    try:
        collection = client.get_collection(name)
    except Exception:  # chromadb raises different NotFound types across versions
        return False
    return bool((collection.metadata or {}).get("complete"))


def _drop_stale_collections(client: chromadb.ClientAPI, keep: str) -> None:
    for entry in client.list_collections():
        name = entry if isinstance(entry, str) else entry.name
        if name.startswith(COLLECTION_PREFIX) and name != keep:
            with contextlib.suppress(Exception):  # another process may have dropped it first
                client.delete_collection(name)
