"""What the core reports about its own work, to whatever records it.

The core never imports a metrics library: the engine and the outbox call a `Recorder`, and the
composition root (`app.py`) hands them one that feeds Prometheus (`handlers/ops/metrics.py`).
Tests and the CLI get `NULL_RECORDER`, which records nothing. Labels are small fixed vocabularies
(intents, channels, outcomes) — never text, addresses or ids.
"""

from __future__ import annotations

from typing import Final, Literal, Protocol

# How a question ended. "does_not_say": on topic, but the statement is silent on that point.
AnswerOutcome = Literal["answered", "declined", "does_not_say"]
ANSWER_OUTCOMES: Final[tuple[AnswerOutcome, ...]] = ("answered", "declined", "does_not_say")

# What became of one outbox delivery attempt: delivered, failed and retried later, failed for good.
DeliveryResult = Literal["sent", "retry", "failed"]
DELIVERY_RESULTS: Final[tuple[DeliveryResult, ...]] = ("sent", "retry", "failed")


class Recorder(Protocol):
    """Counts what the core did; every method is cheap and never raises."""

    def turn(self, *, channel: str, intent: str) -> None:
        """One conversational turn was answered (intent as in the reply)."""

    def answer(self, *, outcome: AnswerOutcome) -> None:
        """A question was answered from the statement, declined, or found not covered."""

    def delivery(self, *, channel: str, result: DeliveryResult) -> None:
        """One outbox delivery attempt on a channel ("email", "slack") ended with `result`."""


class NullRecorder:
    """Records nothing: the default wherever no metrics are wanted."""

    def turn(self, *, channel: str, intent: str) -> None:
        return None

    def answer(self, *, outcome: AnswerOutcome) -> None:
        return None

    def delivery(self, *, channel: str, result: DeliveryResult) -> None:
        return None


NULL_RECORDER: Final[Recorder] = NullRecorder()
