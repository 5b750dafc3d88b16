"""What a message says, computed once per turn: intent, answer, and small conversational cues."""

from __future__ import annotations

import re
from functools import cached_property

from bot.answering.answers import Answer, Answerer
from bot.answering.intents import IntentClassifier, Prediction
from bot.validation import find_reference

_AFFIRMATIVE = re.compile(
    r"^(y|ya|yes|yep|yeah|yup|sure|ok|okay|confirm(ed)?|correct|go ahead|do it|please do|file it|that's right|right)"
    r"\b[.! ]*$",
    re.I,
)
_NEGATIVE = re.compile(r"^(n|no|nope|nah|no thanks|no thank you|not now|don't|do not)\b[.! ]*$", re.I)
_CANCEL = re.compile(
    r"^(cancel|stop|quit|abort|exit|never ?mind|nvm|forget it|forget about it|cancel (it|that|this|the request))"
    r"[.! ]*$",
    re.I,
)
_BACK = re.compile(r"^(back|go back|previous|undo|previous question)[.! ]*$", re.I)
_RESEND = re.compile(
    r"\b(resend|send (it |the code |a new code |another code |a code )?again|new code|another code"
    r"|didn'?t (get|receive))\b",
    re.I,
)
_LOOKS_LIKE_VALUE = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$|^[\d\s-]{6,9}$")
_CORRECTION = re.compile(
    r"^(?:(?:actually|correction|sorry|oops|wait)[,:!.\s]+)?(?:(?:change|update|correct|fix)\s+)?(?:my|the)\s+"
    r"(?P<field>full name|name|e-?mail(?: address)?|company|grounds|reason|description|topic)\s+"
    r"(?:is actually|should be|is|was meant to be|to|=|:)\s+(?P<value>.+)$",
    re.I,
)
UNSURE = 0.7  # below this a top-level 'off-topic' verdict yields to a confident answer; rules give 1.0
_CORRECTION_FIELDS = {
    "full name": "name",
    "name": "name",
    "email": "email",
    "email address": "email",
    "company": "company",
    "grounds": "grounds",
    "reason": "grounds",
    "description": "description",
    "topic": "description",
}


class Understanding:
    """Lazy analysis of one message; `warm()` runs the costly parts before any lock is taken."""

    def __init__(self, text: str, classifier: IntentClassifier, answerer: Answerer) -> None:
        self.text = text
        self._classifier = classifier
        self._answerer = answerer

    def warm(self, pending: str | None = None) -> None:
        """Embed, classify and (for likely questions) retrieve, outside the database transaction.

        `pending` is the kind of answer the conversation waits for: a plain answer to a text field
        or a button click needs no analysis (the turn computes it lazily if it turns out to).
        """
        if not self.text or _LOOKS_LIKE_VALUE.match(self.text) or pending == "action":
            return
        # A yes/no or a few words for a button are parsed without the model.
        short_answer = pending in ("text", "email", "code") or len(self.text.split()) <= 3
        if pending and not self.text.endswith("?") and short_answer:
            return
        if self.prediction.intent in ("question", "out_of_scope") or self.text.endswith("?"):
            _ = self.answer

    @cached_property
    def prediction(self) -> Prediction:
        return self._classifier.classify(self.text)

    @cached_property
    def answer(self) -> Answer:
        return self._answerer.answer(self.text)

    @cached_property
    def intent(self) -> str:
        """The classifier's intent, except that an unsure 'off-topic' or 'greeting' the statement
        confidently answers is a question ("user id", "link to the contact page pls")."""
        prediction = self.prediction
        if (
            prediction.intent in ("out_of_scope", "greeting")
            and prediction.confidence < UNSURE
            and self.answer.answered
        ):
            return "question"
        return prediction.intent

    @property
    def affirmative(self) -> bool:
        return bool(_AFFIRMATIVE.match(self.text))

    @property
    def negative(self) -> bool:
        return bool(_NEGATIVE.match(self.text))

    @property
    def cancel(self) -> bool:
        return bool(_CANCEL.match(self.text))

    @property
    def back(self) -> bool:
        return bool(_BACK.match(self.text))

    @property
    def resend(self) -> bool:
        return bool(_RESEND.search(self.text))

    @property
    def reference(self) -> str | None:
        return find_reference(self.text)

    @property
    def correction(self) -> tuple[str, str] | None:
        """('email', 'new@x.com') for "actually my email is new@x.com"."""
        match = _CORRECTION.match(self.text)
        if not match:
            return None
        field = _CORRECTION_FIELDS.get(match.group("field").lower().replace("-", ""))
        return (field, match.group("value").strip().rstrip(".")) if field else None

    @property
    def asks_question(self) -> bool:
        """A question the statement can answer, asked in the middle of something else."""
        if not self.text or _LOOKS_LIKE_VALUE.match(self.text):
            return False
        if not (self.text.endswith("?") or self.prediction.intent == "question"):
            return False
        return self.answer.answered
