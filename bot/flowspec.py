"""How a flow is described: the fields it asks (`FieldSpec`) and the flow itself (`FlowSpec`).

The catalogue of flows built from these is `bot.flows`; the walker is `bot.conversation.dialog`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from bot.errors import InvalidInput
from bot.types import Choice, Expecting, FieldKind
from bot.validation import find_reference, validate_email, validate_text

OTHER = "other"


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
    reference: bool = False  # the answer must name a ticket reference (PRV-XXXX-XXXX)
    # Asked only once the requester is verified; its prompt comes from the flow's completion
    # (it shows the requester's own records, e.g. the privacy team's question).
    after_identity: bool = False
    # Passed on as written (an answer to a person): a question or "my name is …" in it is not
    # taken as a question for the bot or as a correction of an earlier answer.
    verbatim: bool = False

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
        if self.optional and text.lower() in {"skip", "none", "-", "n/a", "no"}:
            return ""
        if self.email_if and fields.get(self.email_if[0]) == self.email_if[1]:
            return validate_email(text)
        return validate_text(text, min_chars=self.min_chars, max_chars=self.max_chars, what=self.label.lower())

    def _parse_choice(self, raw: str, action: str | None) -> str:
        ids = {c.id for c in self.choices}
        if action in ids:
            return action
        text = raw.strip().lower().rstrip(".!")
        for choice in self.choices:
            if text in (choice.id.lower(), choice.label.lower()):
                return choice.id
        if text.isdigit() and 1 <= int(text) <= len(self.choices):
            return self.choices[int(text) - 1].id
        # A typed answer that names exactly one option ("analytics", "the targeting ones").
        words = set(text.replace("-", " ").split())
        hits = [c for c in self.choices if words & _keywords(c)]
        if len(hits) == 1:
            return hits[0].id
        options = ", ".join(f"{i}. {c.label}" for i, c in enumerate(self.choices, 1))
        raise InvalidInput(f"Please pick one of: {options}.")

    def display(self, value: str) -> str:
        if self.kind == "choice":
            return next((c.label for c in self.choices if c.id == value), value)
        return value or "(none)"


def _keywords(choice: Choice) -> set[str]:
    stop = {"my", "the", "and", "of", "a", "to", "i", "for", "with", "only", "all", "other", "kone's", "about"}
    words = set(choice.label.lower().replace("/", " ").replace("-", " ").split()) | {choice.id.lower()}
    return {w.strip("(),.") for w in words} - stop


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
