"""Hybrid retrieval: dense similarity over passages, hints and section chunks, fused with BM25.

Each passage of the statement is scored by
  the best of its own and its hints' dense similarity (what it says / what it answers),
  its section's best chunk similarity (context: short list items borrow their section's meaning),
  and BM25 over the passage, its section title and its hints (exact words, repaired typos),
a learned model re-orders the best few (`knowledge.rerank`, once trained),
then the best passage and its strong neighbours in the same section become the candidate quote,
with the section it points to ("see Section 1") and a nearly as good second section, if any.
Whether the candidate answers the question is not decided here: the retrieval carries its
`Evidence` (scores, coverage, closeness to known-unanswered topics) and the answering layer's
learned decision weighs it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from knowledge.evidence import NO_EVIDENCE, Evidence
from knowledge.ingest import KnowledgeSource
from knowledge.lexical import BM25, Normaliser, tokens
from knowledge.rerank import Reranker
from knowledge.statement import Passage, Section, Statement


@dataclass(frozen=True)
class Weights:
    """Fusion weights of the ranking and how much of the neighbourhood is quoted (see README)."""

    dense: float = 0.55
    section: float = 0.20
    lexical: float = 0.25
    # Neighbours quoted with the best passage must reach this share of its score; the sentence
    # right before or after a quoted one (which often completes it) needs a little less.
    neighbour_ratio: float = 0.80
    adjacent_ratio: float = 0.80
    # A second section is quoted too when its best passage reaches this share of the best score.
    # (0.85, not 0.95: measured on the tuning sets, a near-tie elsewhere is often the right passage.)
    second_section_ratio: float = 0.85
    max_passages: int = 3


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float
    dense: float
    lexical: float


@dataclass(frozen=True)
class Quote:
    """A quotation of passages from one section, ready to be cited."""

    section: Section
    passages: tuple[Passage, ...]

    @property
    def text(self) -> str:
        """The passages in order; list items follow their lead-in, one per line."""
        parts = [p.text for p in self.passages]
        lead_index = next((i for i, p in enumerate(self.passages) if p.lead), None)
        if lead_index is None:
            return " ".join(parts)
        lead = self.passages[lead_index].lead
        if lead not in parts:
            parts.insert(lead_index, lead)  # type: ignore[arg-type]
        return "\n".join(parts)


@dataclass(frozen=True)
class Retrieval:
    """The ranking for one query, the candidate quotes (the best passage and its neighbours) and
    the evidence a decision weighs before presenting them as the answer."""

    query: str
    hits: tuple[Hit, ...]
    quotes: tuple[Quote, ...]
    evidence: Evidence = NO_EVIDENCE

    @property
    def top(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    @property
    def sections(self) -> list[str]:
        return [q.section.number for q in self.quotes]


@dataclass(frozen=True)
class Signals:
    """Per-passage evidence for one query (arrays are indexed like `Retriever.passages`)."""

    text: np.ndarray  # dense similarity of the passage's own text
    hint: np.ndarray  # best dense similarity of one of the passage's hints (0 without hints)
    context: np.ndarray  # best dense similarity of a chunk of the passage's section
    lexical: np.ndarray  # BM25, scaled to about [0, 1]
    unanswered: float  # best dense similarity of a known-unanswered topic
    named: bool  # the query uses a word peculiar to one of the closest unanswered topics
    terms: tuple[str, ...] = ()  # the query's content terms the statement's vocabulary knows
    raw_terms: int = 0  # how many content terms the query has at all
    vector: np.ndarray | None = None  # the query's own embedding (for the re-ranker's neighbours)

    @property
    def own(self) -> np.ndarray:
        """What the passage says or answers: the better of its text and its hints."""
        own: np.ndarray = np.maximum(self.text, self.hint)
        return own


class _DenseIndex:
    """Every vector of the collection in memory. A few hundred rows make an exact scan cheaper
    than a store round trip, and let several phrasings of one query be scored at once."""

    def __init__(self, store: Chroma, passages: dict[str, int], sections: dict[str, int]) -> None:
        data = store.get(include=["embeddings", "metadatas", "documents"])
        self.matrix = np.asarray(data["embeddings"], dtype=np.float32)
        metas = data["metadatas"]

        def rows(kind: str) -> np.ndarray:
            return np.array([i for i, m in enumerate(metas) if m.get("kind") == kind], dtype=int)

        def targets(rows: np.ndarray, key: str, index: dict[str, int]) -> np.ndarray:
            return np.array([index[metas[i][key]] for i in rows], dtype=int)

        self.passage_rows, self.hint_rows = rows("passage"), rows("hint")
        self.chunk_rows, self.unanswered_rows = rows("chunk"), rows("unanswered")
        self.passage_of_passage = targets(self.passage_rows, "passage_id", passages)
        self.passage_of_hint = targets(self.hint_rows, "passage_id", passages)
        self.section_of_chunk = targets(self.chunk_rows, "section", sections)
        self.n_passages, self.n_sections = len(passages), len(sections)
        self.topics = [data["documents"][i] for i in self.unanswered_rows]

    def scan(self, vectors: list[list[float]]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Best similarity per passage text, per passage's hints, per section chunk, per unanswered
        topic; over all `vectors`, so the better reading of a query counts."""
        sims = (self.matrix @ np.asarray(vectors, dtype=np.float32).T).max(axis=1)
        text = np.zeros(self.n_passages, dtype=np.float32)
        np.maximum.at(text, self.passage_of_passage, sims[self.passage_rows])
        hint = np.zeros(self.n_passages, dtype=np.float32)
        np.maximum.at(hint, self.passage_of_hint, sims[self.hint_rows])
        chunks = np.zeros(self.n_sections, dtype=np.float32)
        np.maximum.at(chunks, self.section_of_chunk, sims[self.chunk_rows])
        return text, hint, chunks, sims[self.unanswered_rows]


class Retriever:
    """Finds the passages of the statement that answer a question."""

    def __init__(
        self, *, store: Chroma, source: KnowledgeSource, embeddings: Embeddings, weights: Weights | None = None
    ) -> None:
        self.store = store
        self.statement: Statement = source.statement
        self.embeddings = embeddings
        self.weights = weights or Weights()
        self.hints = source.hints
        self.passages = self.statement.passages
        self.reranker: Reranker | None = None  # the learned re-ranking of the best candidates, once trained
        sections = {s.number: i for i, s in enumerate(self.statement.sections)}
        self._section_of = np.array([sections[p.section] for p in self.passages])
        # A pointer elsewhere ("Please see Section 5") is a weaker answer than where it points.
        self._prior = np.array([0.9 if _is_pointer(p) else 1.0 for p in self.passages])
        self.dense = _DenseIndex(store, {p.id: i for i, p in enumerate(self.passages)}, sections)
        titles = {s.number: s.title for s in self.statement.sections}
        lexical_docs = [" ".join([titles[p.section], p.text, *source.hints.get(p.id, [])]) for p in self.passages]
        known = _model_vocabulary(embeddings)
        self.bm25 = BM25(lexical_docs, known=known)
        words = " ".join(lexical_docs).lower().split()
        self.normalise = Normaliser((w.strip(".,;:()“”\"'?!") for w in words), known)
        # What each unanswered topic is about that the statement never mentions ('breach').
        vocabulary = set(self.bm25.df)
        self._topic_terms = [set(tokens(topic)) - vocabulary for topic in self.dense.topics]
        # The terms of each passage's document and of its whole section, for coverage.
        # (A list item's lead-in counts: "invoicing;" answers "what is my data used for".)
        self.doc_terms = [
            set(doc) | set(tokens(p.lead or "")) for doc, p in zip(self.bm25.docs, self.passages, strict=True)
        ]
        by_section: dict[str, set[str]] = {}
        for passage, terms in zip(self.passages, self.doc_terms, strict=True):
            by_section.setdefault(passage.section, set()).update(terms)
        self.section_terms = by_section

    def phrasings(self, query: str) -> list[str]:
        """The query, and its repaired reading when chat shorthand or typos change it ('how lng do u keep')."""
        normal = self.normalise(query)
        return [query] if normal == query else [query, normal]

    def signals(self, query: str, vectors: list[list[float]] | None = None) -> Signals:
        """Gather the dense and lexical evidence for every passage (`vectors`: the phrasings'
        embeddings when the caller has them already, as training does in one batch)."""
        phrasings = self.phrasings(query)
        normal = phrasings[-1]
        # Score both readings, keep the better.
        if vectors is None:
            vectors = [self.embeddings.embed_query(q) for q in phrasings]
        text, hint, chunks, topics = self.dense.scan(vectors)
        unanswered = float(topics.max(initial=0.0))
        words = set(tokens(normal))
        near = (i for i, sim in enumerate(topics) if sim >= unanswered - 0.05)
        named = any(words & self._topic_terms[i] for i in near)
        lexical = np.asarray(self.bm25.scores(normal), dtype=np.float32)
        # Normalise BM25 by a fixed floor too, so a weak lexical match is not inflated to 1.0.
        lexical /= max(float(lexical.max(initial=0.0)), 6.0)
        terms = tuple(dict.fromkeys(self.bm25.query_terms(normal)))
        vector = np.asarray(vectors[0], dtype=np.float32)
        return Signals(text, hint, chunks[self._section_of], lexical, unanswered, named, terms, len(set(words)), vector)

    def search(self, query: str) -> Retrieval:
        """Score every passage for `query`; return the ranking, the candidate quotes and the evidence."""
        return self.rank(query, self.signals(query))

    def fused(self, s: Signals) -> np.ndarray:
        """Each passage's fused score: the weighted signals, a pointer elsewhere discounted."""
        w = self.weights
        scores: np.ndarray = (w.dense * s.own + w.section * s.context + w.lexical * s.lexical) * self._prior
        return scores

    def rank(self, query: str, s: Signals) -> Retrieval:
        """Fuse the signals into a ranking, re-rank its best candidates, quote the best passage and
        describe the evidence."""
        own = s.own
        scores = self.fused(s)
        order = np.argsort(-scores, kind="stable")
        # Whether the statement answers at all is weighed on the fused ranking: the re-ranker learned
        # from labelled questions and is surer of them than of new ones, which would skew the decision.
        evidence = self._evidence(s, scores, order)
        if self.reranker is not None:
            # The re-ranked candidates take the fused scores in their new order, so that the quoting
            # ratios keep their scale and stay monotone.
            reranked = self.reranker.order(s, scores, order)
            scores = scores.copy()
            scores[reranked] = scores[order]
            order = reranked
        hits = [Hit(self.passages[i], float(scores[i]), float(own[i]), float(s.lexical[i])) for i in order]
        return Retrieval(query, tuple(hits), self._quotes(hits), evidence)

    def _evidence(self, s: Signals, scores: np.ndarray, order: np.ndarray) -> Evidence:
        best, second = int(order[0]), int(order[1]) if len(order) > 1 else int(order[0])
        other = next((int(i) for i in order if self._section_of[i] != self._section_of[best]), best)
        terms = set(s.terms)

        def covered(found: set[str]) -> float:
            return len(terms & found) / len(terms) if terms else 0.0

        top3 = set().union(*(self.doc_terms[int(i)] for i in order[:3]))
        dense = float(s.own[best])
        return Evidence(
            score=float(scores[best]),
            dense=dense,
            text=float(s.text[best]),
            hint=float(s.hint[best]),
            best_text=float(s.text.max()),
            best_hint=float(s.hint.max()),
            context=float(s.context[best]),
            lexical=float(s.lexical[best]),
            margin=float(scores[best] - scores[second]),
            section_margin=float(scores[best] - scores[other]),
            unanswered=s.unanswered,
            unanswered_gap=s.unanswered - dense,
            named=1.0 if s.named else 0.0,
            coverage=covered(self.doc_terms[best]),
            coverage_top3=covered(top3),
            section_coverage=covered(self.section_terms[self.passages[best].section]),
            known=len(terms) / s.raw_terms if s.raw_terms else 0.0,
            terms=min(s.raw_terms, 12) / 12,
        )

    def _quotes(self, hits: list[Hit]) -> tuple[Quote, ...]:
        """The best passage with its neighbours, what it points to, and a near-tie elsewhere."""
        best = hits[0]
        quotes = [self._quote(best, hits)]
        cited = {best.passage.section}
        target = best.passage.cross_reference
        if target and target not in cited:
            pointed = next((h for h in hits if h.passage.section == target), None)
            if pointed:
                quotes.append(self._quote(pointed, hits))
                cited.add(target)
        # A question the statement answers in two places ("delete my data": the right in section 7,
        # the consequence in section 3) gets both when the runner-up section is nearly as good.
        runner_up = next((h for h in hits if h.passage.section not in cited), None)
        if runner_up and runner_up.score >= best.score * self.weights.second_section_ratio:
            quotes.append(self._quote(runner_up, hits))
        return tuple(quotes)

    def _quote(self, anchor: Hit, hits: list[Hit]) -> Quote:
        """`anchor` with its strong neighbours in its section (a list lead-in with its items)."""
        section = self.statement.section(anchor.passage.section)
        assert section is not None
        if anchor.passage.text.endswith(":"):
            items = [p for p in section.passages if p.lead == anchor.passage.text]
            return Quote(section, (anchor.passage, *items))
        w = self.weights
        chosen = [anchor.passage]
        for hit in hits:
            if len(chosen) >= w.max_passages or hit.score < anchor.score * w.adjacent_ratio:
                break
            passage = hit.passage
            if passage in chosen or passage.section != section.number or passage.text.endswith(":"):
                continue
            adjacent = any(abs(passage.position - p.position) == 1 for p in chosen)
            if hit.score >= anchor.score * (w.adjacent_ratio if adjacent else w.neighbour_ratio):
                chosen.append(passage)
        chosen.sort(key=lambda p: p.position)
        return Quote(section, tuple(chosen))


def _is_pointer(passage: Passage) -> bool:
    """A passage that only sends the reader elsewhere ('Please see Section 5 below ...')."""
    return passage.cross_reference is not None and len(passage.text) < 100


def _model_vocabulary(embeddings: Embeddings) -> frozenset[str]:
    """Whole words the embedding model knows: real words that typo repair must leave alone."""
    path = getattr(embeddings, "model_path", None)
    try:
        lines = (path / "vocab.txt").read_text(encoding="utf-8").split() if path else []
    except OSError:
        return frozenset()
    return frozenset(w for w in lines if w.isalpha())
