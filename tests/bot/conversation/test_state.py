"""The typed conversation state: what is saved is what is loaded, and stale state is dropped."""

from __future__ import annotations

from bot.conversation.state import ConversationState, FlowState


def test_state_round_trips_through_its_json_column() -> None:
    state = ConversationState(
        flow=FlowState(type="deletion", values={"scope": "specific"}, answered=["scope"], pending="scope_detail"),
        offer=("deletion",),
        identity_warned=True,
    )
    raw = state.dump()
    assert raw == {
        "flow": {"type": "deletion", "values": {"scope": "specific"}, "answered": ["scope"], "pending": "scope_detail"},
        "offer": ["deletion"],
        "identity_warned": True,
    }
    assert ConversationState.load(raw) == state


def test_an_empty_or_unknown_state_loads_as_nothing_in_progress() -> None:
    assert ConversationState.load(None) == ConversationState()
    assert ConversationState.load({}).dump() == {}
    # A flow whose spec no longer exists (changed between releases) is dropped, not crashed on.
    assert ConversationState.load({"flow": {"type": "gone", "values": {}}}).flow is None


def test_undo_forgets_dependent_answers() -> None:
    flow = FlowState(type="deletion")
    flow.answer("scope", "specific")
    flow.values["scope_detail"] = "my phone number"  # asked only because scope == specific
    assert flow.undo_last() == "scope"
    assert flow.values == {} and flow.undo_last() is None


def test_the_last_question_is_kept_for_follow_ups_and_capped() -> None:
    state = ConversationState(last_question="How long do you keep my data?")
    assert state.dump() == {"last_question": "How long do you keep my data?"}
    assert ConversationState.load(state.dump()) == state
    long = ConversationState.load({"last_question": "x" * 5000})
    assert long.last_question is not None and len(long.last_question) == 300
