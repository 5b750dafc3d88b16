"""The Knowledge page: misses grouped by meaning, the weekly rates, teaching with its permission,
its audit and its undo, and the answers that change at once in this process."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import col, select

from bot.store.models import Agent, KnowledgeEvent
from tests.factories import ChatDriver
from tests.handlers.console.conftest import ADMIN, AGENT, csrf_of, sign_in

DOG = [
    "Can I bring my dog to the KONE office?",
    "can i bring my dog to the kone office",
    "Can I bring my dog into the KONE office?",
]
OTHER = "What's the weather in Helsinki tomorrow?"
_GROUP = re.compile(r'name="ids" value="([\d,]+)"')


def _ask(web: TestClient, *questions: str) -> list[dict[str, Any]]:
    replies = []
    for question in questions:
        chat = ChatDriver(web)
        replies.append(chat.say(question))
    return replies


def _groups(html: str) -> list[str]:
    """The ids of each group's questions, as its forms carry them (each group has three forms)."""
    return list(dict.fromkeys(_GROUP.findall(html)))


def _teach(web: TestClient, ids: str, kind: str, passage_id: str = "") -> Any:
    page = web.get("/console/knowledge")
    data = {"csrf_token": csrf_of(page.text), "ids": ids, "kind": kind, "passage_id": passage_id}
    return web.post("/console/knowledge/teach", data=data)


def test_the_page_groups_near_identical_declined_questions(admin_web: TestClient) -> None:
    replies = _ask(admin_web, *DOG, OTHER)
    assert [r["intent"] for r in replies] == ["out_of_scope"] * 4
    page = admin_web.get("/console/knowledge")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    html = page.text
    groups = _groups(html)
    assert len(groups) == 2 and len(groups[0].split(",")) == 3 and len(groups[1].split(",")) == 1
    assert "3 ×" in html and "1 ×" in html
    assert html.index("3 ×") < html.index("1 ×")  # sorted by count
    assert "<svg" in html and "Helpful rate and decline rate per week" in html
    assert "<script" not in html
    # Filters: another channel shows nothing; an unknown value is the default.
    assert _groups(admin_web.get("/console/knowledge?channel=slack").text) == []
    assert len(_groups(admin_web.get("/console/knowledge?channel=bogus&days=abc").text)) == 2


def test_an_unhelpful_answer_is_listed_with_its_quote(admin_web: TestClient) -> None:
    chat = ChatDriver(admin_web)
    chat.say("How long do you keep my data?")
    assert (
        admin_web.post(f"/api/chat/{chat.session_id}/feedback", json={"turn": None, "helpful": False}).status_code
        == 204
    )
    html = admin_web.get("/console/knowledge").text
    assert "How long do you keep my data?" in html and "Section 4:" in html
    assert "0 declined, 1 rated not helpful" in html


def test_teaching_a_group_answers_it_with_the_passage_and_undo_restores_the_decline(
    admin_web: TestClient, services: Any
) -> None:
    _ask(admin_web, *DOG)
    [ids] = _groups(admin_web.get("/console/knowledge").text)
    response = _teach(admin_web, ids, "hint", "s1-p01")
    assert response.status_code == 303
    assert "done=hint" in response.headers["location"]
    assert _groups(admin_web.get("/console/knowledge").text) == []  # handled: off the list
    [answered] = _ask(admin_web, "Can I bring my dog to the KONE office, please?")
    assert answered["intent"] == "question" and answered["citations"][0]["section"] == "1"

    page = admin_web.get("/console/knowledge")
    lesson = re.search(r'action="/console/knowledge/lessons/(\d+)/undo"', page.text)
    assert lesson is not None
    undone = admin_web.post(
        f"/console/knowledge/lessons/{lesson.group(1)}/undo", data={"csrf_token": csrf_of(page.text)}
    )
    assert undone.status_code == 303
    [declined] = _ask(admin_web, "Can I bring my dog to the KONE office, please?")
    assert declined["intent"] == "out_of_scope"
    assert len(_groups(admin_web.get("/console/knowledge").text)) == 1  # back, with the new one


def test_not_covered_makes_the_bot_say_the_statement_does_not_say(admin_web: TestClient) -> None:
    _ask(admin_web, *DOG)
    [ids] = _groups(admin_web.get("/console/knowledge").text)
    assert _teach(admin_web, ids, "not_covered").status_code == 303
    [reply] = _ask(admin_web, DOG[0])
    assert reply["intent"] == "question" and "doesn't say" in reply["reply"]


def test_agents_without_the_permission_cannot_teach(web: TestClient, services: Any) -> None:
    _ask(web, *DOG)
    assert sign_in(web, *AGENT).status_code == 303
    page = web.get("/console/knowledge")
    assert page.status_code == 200  # agents read it
    assert "Answer with this passage" not in page.text and _groups(page.text) == []
    with services.db.read() as session:
        from bot.store.models import AskedQuestion

        ids = ",".join(str(q.id) for q in session.exec(select(AskedQuestion)))
    refused = web.post(
        "/console/knowledge/teach",
        data={"csrf_token": csrf_of(page.text), "ids": ids, "kind": "hint", "passage_id": "s1-p01"},
    )
    assert refused.status_code == 403 and "knowledge permission" in refused.text
    assert web.post("/console/knowledge/lessons/1/undo", data={"csrf_token": csrf_of(page.text)}).status_code == 403
    with services.db.read() as session:
        assert session.exec(select(KnowledgeEvent)).all() == []
        agent = session.exec(select(Agent).where(Agent.email == AGENT[0])).one()
    # An agent cannot give it to themselves; an admin can.
    own = web.post(
        f"/console/admin/agents/{agent.id}/knowledge", data={"csrf_token": csrf_of(page.text), "knowledge": "on"}
    )
    assert own.status_code == 403
    web.post("/console/logout", data={"csrf_token": csrf_of(page.text)})
    assert sign_in(web, *ADMIN).status_code == 303
    agents = web.get("/console/admin/agents")
    given = web.post(
        f"/console/admin/agents/{agent.id}/knowledge", data={"csrf_token": csrf_of(agents.text), "knowledge": "on"}
    )
    assert given.status_code == 303
    web.post("/console/logout", data={"csrf_token": csrf_of(agents.text)})
    assert sign_in(web, *AGENT).status_code == 303
    page = web.get("/console/knowledge")
    [group] = _groups(page.text)
    assert _teach(web, group, "dismissed").status_code == 303


def test_every_teaching_action_is_in_the_audit(admin_web: TestClient, services: Any) -> None:
    _ask(admin_web, *DOG, OTHER)
    dog, weather = _groups(admin_web.get("/console/knowledge").text)
    assert _teach(admin_web, dog, "hint", "s1-p01").status_code == 303
    assert _teach(admin_web, weather, "dismissed").status_code == 303
    page = admin_web.get("/console/knowledge")
    first = re.findall(r'action="/console/knowledge/lessons/(\d+)/undo"', page.text)[-1]
    assert (
        admin_web.post(f"/console/knowledge/lessons/{first}/undo", data={"csrf_token": csrf_of(page.text)}).status_code
        == 303
    )
    [again] = _groups(admin_web.get("/console/knowledge").text)
    assert _teach(admin_web, again, "not_covered").status_code == 303
    # Refused changes leave no trace: an unknown passage, a group already handled.
    assert _teach(admin_web, again, "hint", "s99-p00").status_code == 422
    assert _teach(admin_web, dog, "dismissed").status_code == 409
    with services.db.read() as session:
        events = session.exec(select(KnowledgeEvent).order_by(col(KnowledgeEvent.id))).all()
    assert [(e.action, e.actor) for e in events] == [
        ("teach_hint", f"agent:{ADMIN[0]}"),
        ("dismiss", f"agent:{ADMIN[0]}"),
        ("undo", f"agent:{ADMIN[0]}"),
        ("teach_not_covered", f"agent:{ADMIN[0]}"),
    ]
    assert events[0].detail["passage_id"] == "s1-p01" and len(events[0].detail["items"]) == 3
    assert all(e.at is not None and e.lesson_id for e in events)
    html = admin_web.get("/console/knowledge").text
    assert "teach_not_covered" in html and "undone by agent:" in html  # the page shows the trail
