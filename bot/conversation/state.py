"""A conversation's state between turns, typed: loaded from and saved to its JSON column in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.answering.followup import MAX_PREVIOUS
from bot.flows import FLOWS, FlowSpec


@dataclass
class FlowState:
    """The request (or look-up) being walked: which flow, what was answered, what is asked now."""

    type: str
    values: dict[str, str] = field(default_factory=dict)
    answered: list[str] = field(default_factory=list)  # field names in the order given (for "back")
    pending: str | None = None  # the field the last reply asked for
    since: int | None = None  # the first conversation turn of this flow: what its ticket's transcript starts at

    @property
    def spec(self) -> FlowSpec:
        return FLOWS[self.type]

    def answer(self, name: str, value: str) -> None:
        """Record an answer to one of the flow's own fields."""
        self.values[name] = value
        if name not in self.answered:
            self.answered.append(name)

    def undo_last(self) -> str | None:
        """Forget the last answer and the answers that depended on it; the field forgotten, if any."""
        if not self.answered:
            return None
        last = self.answered.pop()
        self.values.pop(last, None)
        for f in self.spec.fields:  # dependent answers go too ("Only specific data" → which data)
            if f.when and f.when[0] == last:
                self.values.pop(f.name, None)
        return last


@dataclass
class ConversationState:
    """Everything a conversation remembers between turns (besides who the requester is)."""

    flow: FlowState | None = None
    offer: tuple[str, ...] = ()  # requests offered with the last answer, for a plain "yes"
    identity_warned: bool = False  # the user was told their portal sign-in did not verify
    # The last question answered (as searched), so a follow-up ("and for cookies?") can lean on it.
    last_question: str | None = None

    @classmethod
    def load(cls, raw: dict[str, Any] | None) -> ConversationState:
        """From the JSON column; a flow whose spec no longer exists (a release changed it) is dropped."""
        raw = raw or {}
        flow = raw.get("flow")
        last = raw.get("last_question")
        state = cls(
            offer=tuple(raw.get("offer") or ()),
            identity_warned=bool(raw.get("identity_warned")),
            last_question=str(last)[:MAX_PREVIOUS] if last else None,
        )
        if isinstance(flow, dict) and flow.get("type") in FLOWS:
            state.flow = FlowState(
                type=flow["type"],
                values={str(k): str(v) for k, v in (flow.get("values") or {}).items()},
                answered=[str(name) for name in flow.get("answered") or []],
                pending=flow.get("pending"),
                since=flow.get("since") if isinstance(flow.get("since"), int) else None,
            )
        return state

    def dump(self) -> dict[str, Any]:
        """To the JSON column (a new dict, so the column is seen as changed)."""
        raw: dict[str, Any] = {}
        if self.flow is not None:
            raw["flow"] = {
                "type": self.flow.type,
                "values": dict(self.flow.values),
                "answered": list(self.flow.answered),
                "pending": self.flow.pending,
            }
            if self.flow.since is not None:
                raw["flow"]["since"] = self.flow.since
        if self.offer:
            raw["offer"] = list(self.offer)
        if self.identity_warned:
            raw["identity_warned"] = True
        if self.last_question:
            raw["last_question"] = self.last_question[:MAX_PREVIOUS]
        return raw
