"""What the bot could not answer, grouped by meaning, and how it is doing week by week.

A miss is a declined question or an answer voted not helpful that nobody has taught or dismissed
yet. Misses are grouped by meaning: their questions are embedded with the app's own model and
clustered (average-linkage agglomerative clustering on cosine distance, cut at a threshold), so
rewordings of one question land in one group. Groups are sorted by how often they were asked.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from sqlalchemy import or_
from sqlmodel import Session, col, select

from bot.store.models import AnswerFeedback, AskedQuestion

MAX_MISSES = 2000  # the most recent misses of the period are grouped
MAX_EXAMPLES = 5
# Questions whose average cosine distance is under this are one group. Measured on the packaged
# model: rewordings of one question are 0.01-0.15 apart, different questions on one topic 0.28-0.57.
GROUP_DISTANCE = 0.25
PERIODS = (7, 30, 90, 365)  # days the page offers
CHANNELS = ("web", "slack", "cli")


@dataclass(frozen=True)
class MissFilter:
    """Which misses and weeks to show: a period ending today and, optionally, one channel."""

    days: int = 30
    channel: str | None = None

    def since(self, today: date) -> datetime:
        return datetime.combine(today - timedelta(days=self.days - 1), time.min, tzinfo=UTC)


@dataclass(frozen=True)
class Miss:
    id: int
    question: str
    channel: str
    at: datetime
    declined: bool
    quote: str | None  # "Section 4 - …: quoted text" when the answer quoted something


@dataclass
class Group:
    """Misses that mean the same thing."""

    ids: list[int] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    declined: int = 0
    unhelpful: int = 0
    quote: str | None = None
    channels: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.ids)


def _quote(citations: Sequence[dict[str, str]]) -> str | None:
    if not citations:
        return None
    first = citations[0]
    where = first.get("title", "") if first.get("section") == "intro" else f"Section {first.get('section')}"
    return f"{where}: {first.get('quote', '')}"


def load_misses(session: Session, chosen: MissFilter, *, today: date) -> list[Miss]:
    """Declined questions and answers voted not helpful, not yet handled, newest first."""
    since = chosen.since(today)
    unhelpful = select(AnswerFeedback.question_id).where(col(AnswerFeedback.helpful).is_(False))
    query = select(AskedQuestion).where(
        col(AskedQuestion.lesson_id).is_(None),
        col(AskedQuestion.created_at) >= since,
        or_(col(AskedQuestion.outcome) == "declined", col(AskedQuestion.id).in_(unhelpful)),
    )
    if chosen.channel:
        query = query.where(AskedQuestion.channel == chosen.channel)
    rows = session.exec(query.order_by(col(AskedQuestion.id).desc()).limit(MAX_MISSES))
    return [
        Miss(int(r.id or 0), r.question, r.channel, r.created_at, r.outcome == "declined", _quote(r.citations))
        for r in rows
    ]


def cluster(vectors: np.ndarray, *, distance: float = GROUP_DISTANCE) -> list[int]:
    """A group label per vector: agglomerative clustering, average linkage, cosine distance."""
    if len(vectors) < 2:
        return [0] * len(vectors)
    from sklearn.cluster import AgglomerativeClustering  # only the Knowledge page needs it

    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average", distance_threshold=distance)
    return [int(label) for label in model.fit_predict(vectors)]


class CachedEmbed:
    """Embed questions once per process: the Knowledge page groups the same misses on every load."""

    def __init__(self, embed: Callable[[list[str]], list[list[float]]], size: int = 8192) -> None:
        self._embed = embed
        self._size = size
        self._vectors: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._vectors))
        fresh = self._embed(missing) if missing else []
        with self._lock:
            self._vectors.update(zip(missing, fresh, strict=True))
            found = [self._vectors[t] for t in texts]
            for text in texts:
                self._vectors.move_to_end(text)
            while len(self._vectors) > self._size:  # oldest first; this call's texts are the newest
                self._vectors.popitem(last=False)
        return found


def group_misses(misses: Sequence[Miss], embed: Callable[[list[str]], list[list[float]]]) -> list[Group]:
    """The misses grouped by the meaning of their questions, largest (then most recent) first."""
    if not misses:
        return []
    vectors = np.asarray(embed([m.question for m in misses]), dtype=np.float32)
    labels = cluster(vectors)
    groups: dict[int, Group] = {}
    quotes: dict[int, Counter[str]] = {}
    for miss, label in zip(misses, labels, strict=True):
        group = groups.setdefault(label, Group())
        group.ids.append(miss.id)
        if miss.question not in group.examples and len(group.examples) < MAX_EXAMPLES:
            group.examples.append(miss.question)
        group.first_seen = min(group.first_seen or miss.at, miss.at)
        group.last_seen = max(group.last_seen or miss.at, miss.at)
        group.declined += miss.declined
        group.unhelpful += not miss.declined
        if miss.channel not in group.channels:
            group.channels.append(miss.channel)
        if miss.quote:
            quotes.setdefault(label, Counter())[miss.quote] += 1
    for label, counter in quotes.items():
        groups[label].quote = counter.most_common(1)[0][0]
    return sorted(groups.values(), key=lambda g: (-g.count, -(g.last_seen.timestamp() if g.last_seen else 0.0)))


@dataclass(frozen=True)
class WeekRate:
    """One week's questions and votes (a week starts on Monday)."""

    week: date
    questions: int = 0
    declined: int = 0
    votes: int = 0
    helpful: int = 0

    @property
    def decline_rate(self) -> float | None:
        return self.declined / self.questions if self.questions else None

    @property
    def helpful_rate(self) -> float | None:
        return self.helpful / self.votes if self.votes else None


def _monday(moment: datetime) -> date:
    day = moment.date()
    return day - timedelta(days=day.weekday())


def weekly_rates(session: Session, chosen: MissFilter, *, today: date) -> list[WeekRate]:
    """Per week of the period: questions and how many were declined, votes and how many helpful."""
    since = chosen.since(today)
    asked = select(AskedQuestion.created_at, AskedQuestion.outcome).where(col(AskedQuestion.created_at) >= since)
    votes = select(AnswerFeedback.updated_at, AnswerFeedback.helpful).where(col(AnswerFeedback.updated_at) >= since)
    if chosen.channel:
        asked = asked.where(AskedQuestion.channel == chosen.channel)
        votes = votes.where(AnswerFeedback.channel == chosen.channel)
    counts: dict[date, list[int]] = {}
    first, last = _monday(since), today - timedelta(days=today.weekday())
    week = first
    while week <= last:
        counts[week] = [0, 0, 0, 0]
        week += timedelta(days=7)
    for at, outcome in session.exec(asked):
        row = counts.setdefault(_monday(at), [0, 0, 0, 0])
        row[0] += 1
        row[1] += outcome == "declined"
    for at, helpful in session.exec(votes):
        row = counts.setdefault(_monday(at), [0, 0, 0, 0])
        row[2] += 1
        row[3] += bool(helpful)
    return [WeekRate(w, *values) for w, values in sorted(counts.items())]
