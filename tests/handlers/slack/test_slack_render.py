"""Slack rendering: escaped text, quotes and sections, buttons carrying choice ids, lean agent posts."""

from __future__ import annotations

import json

from bot.types import Choice, Citation, Expecting, Reply, TicketSummary
from handlers.slack.render import agent_ticket_message, chosen_blocks, escape, from_slack, mrkdwn, reply_message


def test_text_from_slack_is_made_plain() -> None:
    assert from_slack("<@UBOT> hi <@U2|erin> in <#C1|general>", bot_user_id="UBOT") == "hi @erin in #general"
    assert from_slack("<mailto:erin@example.com|erin@example.com>") == "erin@example.com"
    assert from_slack("see <https://kone.com/privacy|the statement> &amp; &lt;b&gt;") == "see the statement & <b>"
    assert from_slack("<!channel> help") == "@channel help"


def test_bot_and_user_text_is_escaped_but_quotes_stay_quotes() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    rendered = mrkdwn("Here:\n\n> a <b> & c\n— Section 4 – Retention\n• Company: <!here>")
    assert rendered == "Here:\n\n> a &lt;b&gt; &amp; c\n_— Section 4 – Retention_\n• Company: &lt;!here&gt;"


def test_a_reply_renders_as_blocks_with_buttons_carrying_choice_ids() -> None:
    reply = Reply(
        session_id="s",
        reply="Phrased <answer>.",
        intent="question",
        citations=(Citation("7", "Your rights", "You may request deletion."),),
        expecting=Expecting(
            "offer", "choice", "Start?", (Choice("start:deletion", "Delete my data"), Choice("no", "No, thanks"))
        ),
        ticket=TicketSummary("PRV-AB12-CD34", "deletion", "open", "2026-04-10"),
    )
    text, blocks = reply_message(reply)
    assert text == "Phrased &lt;answer&gt;."
    shown = json.dumps(blocks)
    assert "> You may request deletion.\\n\\u2014 Section 7 \\u2013 Your rights" in shown  # the passage it rests on
    assert "PRV-AB12-CD34" in shown and "Deletion (erasure)" in shown and "2026-04-10" in shown
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("choice:start:deletion", "start:deletion"),
        ("choice:no", "no"),
    ]
    after = chosen_blocks(blocks, "Delete <my> data")
    assert all(b["type"] != "actions" for b in after) and "Delete &lt;my&gt; data" in json.dumps(after)


def test_the_agents_post_names_no_requester() -> None:
    text, blocks = agent_ticket_message(
        reference="PRV-AB12-CD34",
        type="objection",
        due_date="2026-04-10",
        channel="web",
        console_url="https://h.example/console/tickets/PRV-AB12-CD34",
    )
    assert text == "New privacy request PRV-AB12-CD34: Objection to processing, due 2026-04-10"
    assert len(blocks) == 3 and "@" not in json.dumps(blocks).replace("https://", "")


def test_the_manifest_asks_for_what_the_listeners_use() -> None:
    from pathlib import Path

    import yaml

    import handlers.slack

    manifest = yaml.safe_load((Path(handlers.slack.__file__).parent / "manifest.yaml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"users:read.email", "im:history", "app_mentions:read", "chat:write", "im:write", "commands"} <= scopes
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"message.im", "app_mention", "app_home_opened"}
    urls = {
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
        manifest["features"]["slash_commands"][0]["url"],
    }
    assert len(urls) == 1 and urls.pop().endswith("/slack/events")
    assert manifest["features"]["slash_commands"][0]["command"] == "/privacy"
    assert (
        manifest["features"]["app_home"]["home_tab_enabled"]
        and manifest["features"]["app_home"]["messages_tab_enabled"]
    )


def test_a_closed_ticket_shows_its_outcome_escaped() -> None:
    ticket = TicketSummary("PRV-AB12-CD34", "deletion", "rejected", "2026-04-10", outcome="Declined <because> & so.")
    _, blocks = reply_message(
        Reply(session_id="s", reply="Your request PRV-AB12-CD34 is rejected.", intent="x", ticket=ticket)
    )
    shown = json.dumps(blocks)
    assert "*Outcome*\\nDeclined &lt;because&gt; &amp; so." in shown
    open_ticket = TicketSummary("PRV-AB12-CD34", "deletion", "open", "2026-04-10")
    assert "Outcome" not in json.dumps(
        reply_message(Reply(session_id="s", reply="x", intent="x", ticket=open_ticket))[1]
    )


def test_citations_link_to_their_sections_on_the_statement_page() -> None:
    reply = Reply(
        session_id="s",
        reply="> You may request deletion.\n— Section 7 – Your rights",
        intent="question",
        citations=(Citation("7", "Your rights", "You may request deletion."), Citation("7", "Your rights", "Also.")),
    )
    _, blocks = reply_message(reply, public_url="https://privacy.example/")
    links = [b for b in blocks if "Read it in the statement" in json.dumps(b)]
    assert len(links) == 1
    text = links[0]["elements"][0]["text"]
    assert text == "Read it in the statement: <https://privacy.example/statement#section-7|Section 7 – Your rights>"
    # Without a public address there is nothing to link to.
    assert not [b for b in reply_message(reply)[1] if "Read it in the statement" in json.dumps(b)]
