"""How a flow is described: the fields it asks (`FieldSpec`) and the flow itself (`FlowSpec`).

The catalogue of flows built from these is `bot.flows`; the walker is `bot.conversation.dialog`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from bot.errors import InvalidInput
from bot.types import Choice, Expecting, FieldKind
from bot.validation import find_reference, validate_email, validate_text

OTHER = "other"
# An optional field offers this choice; typing one of SKIP_WORDS does the same.
SKIP = Choice("skip", "Skip")
SKIP_WORDS = frozenset({"skip", "none", "-", "n/a", "no"})


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    prompt: str
    label: str  # how the summary names it
    choices: tuple[Choice, ...] = ()
    min_chars: int = 1
    max_chars: int = 1000
    optional: bool = False  # the user may answer "skip"
    when: tuple[str, str] | None = None  # ask only if fields[name] == value
    email_if: tuple[str, str] | None = None  # validate as e-mail if fields[name] == value
    reference: bool = False  # the answer must name a ticket reference (like PRV-AB12-CD34)
    # Asked only once the requester is verified; its prompt comes from the flow's completion
    # (it shows the requester's own records, e.g. the privacy team's question).
    after_identity: bool = False
    # Passed on as written (an answer to a person): a question or "my name is …" in it is not
    # taken as a question for the bot or as a correction of an earlier answer.
    verbatim: bool = False
    # How a first message may already give the answer ("… it should be +358 40 …"): a regular
    # expression whose first group is the value, tried when the flow starts.
    said_as: str | None = None

    def applies(self, fields: dict[str, Any]) -> bool:
        return self.when is None or fields.get(self.when[0]) == self.when[1]

    def expecting(self, prompt: str | None = None) -> Expecting:
        return Expecting(self.name, self.kind, prompt or self.prompt, self.choices)

    def parse(self, raw: str, fields: dict[str, Any], action: str | None = None) -> str:
        """Validate an answer; raise InvalidInput with a message the user can act on."""
        if self.kind == "choice":
            return self._parse_choice(raw, action)
        text = raw.strip()
        if self.reference:
            found = find_reference(text)
            if not found:
                raise InvalidInput("A reference looks like PRV-AB12-CD34.")
            return found
        if self.optional and (action == SKIP.id or text.lower() in SKIP_WORDS):
            return ""
        if text.lower() in SKIP_WORDS - {"none", "no"}:
            raise InvalidInput(
                "This one is needed to file your request, so it can't be skipped. "
                'Please type your answer, or say "cancel" to stop.'
            )
        if self.email_if and fields.get(self.email_if[0]) == self.email_if[1]:
            return validate_email(text)
        # "your answer": a label ("What is wrong") does not fit in "a little more detail in your …".
        return validate_text(text, min_chars=self.min_chars, max_chars=self.max_chars, what="answer")

    def _parse_choice(self, raw: str, action: str | None) -> str:
        ids = {c.id for c in self.choices}
        if action in ids:
            return action
        text = raw.strip().lower().rstrip(".!")
        for choice in self.choices:
            if text in (choice.id.lower(), choice.label.lower()):
                return choice.id
        if text.isdigit() and 1 <= int(text) <= len(self.choices):
            return self.choices[int(text) - 1].id  # the terminal numbers its options
        found = self.match_choice(text)
        if found is not None:
            return found
        # Every channel shows the options right under this (buttons, chips, a list): no list here.
        raise InvalidInput("I couldn't tell which option you mean. Please pick one below, or say it in other words.")

    def match_choice(self, text: str, *, ignore: frozenset[str] = frozenset()) -> str | None:
        """The one option a sentence names ("withdrawing consent for marketing emails" → marketing
        communications), or None. Words of the question itself ("Which consent…?") and `ignore`d
        words (the flow's own name) say nothing about which option is meant."""
        words = _words(text)
        generic = _words(self.prompt) | ignore
        scores = {c.id: len(words & (_keywords(c) - generic)) for c in self.choices}
        best = max(scores.values(), default=0)
        winners = [cid for cid, score in scores.items() if score == best]
        return winners[0] if best and len(winners) == 1 else None

    def display(self, value: str) -> str:
        if self.kind == "choice":
            return next((c.label for c in self.choices if c.id == value), value)
        return value or "(none)"


_STOP = frozenset(
    "my the and of a an to i me for with only all other kone's kone about is it in on at be by or "
    "how use do does you your yours this that what which want would like please".split()
)


def _stem(word: str) -> str:
    """Plural and singular read alike ("e-mails" / "email", "cookies" / "cookie")."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _words(text: str) -> set[str]:
    raw = text.lower().replace("/", " ").replace("-", " ").replace("_", " ").split()
    words = {_stem(w.strip("(),.!?;:'\"")) for w in raw}
    if "e" in raw or "e mail" in text.lower().replace("-", " "):
        words.add("email")
    return {w for w in words if len(w) > 1} - _STOP


def _keywords(choice: Choice) -> set[str]:
    return _words(choice.label) | _words(choice.id)


Completion = Literal["file", "status", "withdraw", "reply"]


@dataclass(frozen=True)
class FlowSpec:
    type: str
    title: str  # in a sentence: "a deletion (erasure) request"
    intro: str
    fields: tuple[FieldSpec, ...]
    label: str = ""  # as a ticket type: "Deletion (erasure)"
    start_label: str = ""  # on the button that starts it: "Delete my data"
    # What turns of this flow count as (DESIGN §4); the flow's type unless said otherwise.
    intent: str = ""
    completion: Completion = "file"
    # The intro while the requester is not yet verified, when it should differ.
    intro_unverified: str = ""
    # Passage whose wording states the consequence; quoted when the flow starts.
    consequence_passage: str | None = None
    # Passages whose answers concern this right: answering them offers this request.
    related_passages: tuple[str, ...] = ()
    next_steps: str = "The privacy team will review it and reply within the legal deadline."

    @property
    def files_ticket(self) -> bool:
        return self.completion == "file"

    @property
    def turn_intent(self) -> str:
        return self.intent or self.type

    @property
    def confirm(self) -> FieldSpec | None:
        """The last question before completion (None: complete as soon as the requester is verified)."""
        return {"file": CONFIRM, "withdraw": WITHDRAW_CONFIRM, "reply": REPLY_CONFIRM}.get(self.completion)

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def given(self, text: str) -> dict[str, str]:
        """The answers a first message already holds ("my phone number is wrong, it should be …"):
        an option it names (never "something else"), and values said the way a field expects."""
        values: dict[str, str] = {}
        if not text.strip():
            return values
        ignore = frozenset(_words(" ".join((self.title, self.intro, self.start_label, self.label))))
        for field in self.fields:
            if not field.applies(values):
                continue
            if field.kind == "choice" and field.when is None:
                found = field.match_choice(text, ignore=ignore)
                if found is not None and found != OTHER:
                    values[field.name] = found
            elif field.said_as:
                match = re.search(field.said_as, text, flags=re.IGNORECASE)
                if match:
                    try:
                        said = next(g for g in match.groups() if g)
                        values[field.name] = field.parse(said.strip().rstrip(".!"), values)
                    except InvalidInput:
                        pass  # asked as usual, with its hint
        return values

    def summary(self, values: dict[str, Any]) -> list[tuple[str, str]]:
        return [
            (f.label, f.display(values.get(f.name, ""))) for f in self.fields if f.applies(values) and f.name in values
        ]


def choices_of(*pairs: tuple[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(i, label) for i, label in pairs)


# The last question of every request, of a withdrawal and of an answer to the privacy team.
CONFIRM = FieldSpec(
    "confirm",
    "confirm",
    "Shall I file this request?",
    "Confirmation",
    choices_of(("yes", "Yes, file it"), ("no", "No, cancel")),
)
WITHDRAW_CONFIRM = FieldSpec(
    "confirm",
    "confirm",
    "Withdraw this request?",
    "Confirmation",
    choices_of(("yes", "Yes, withdraw it"), ("no", "No, keep it")),
)
REPLY_CONFIRM = FieldSpec(
    "confirm",
    "confirm",
    "Send this to the privacy team?",
    "Confirmation",
    choices_of(("yes", "Yes, send it"), ("no", "No, don't send")),
)
