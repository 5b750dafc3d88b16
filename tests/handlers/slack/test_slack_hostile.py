"""The hostile corpus through Slack: every payload as a DM, and one echoed back in a request
summary. Whatever comes back is escaped mrkdwn: no markup, no Slack control sequences of theirs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from tests.handlers.slack.conftest import SlackApp
from tests.handlers.slack.fake_slack import Call

CORPUS = yaml.safe_load(
    (Path(__file__).resolve().parents[2] / "data" / "hostile_inputs.yaml").read_text(encoding="utf-8")
)
PAYLOADS = CORPUS["xss"] + CORPUS["injection"]
# Any "<" in what the bot posts must open a Slack link it made itself (<https://…|label>).
RAW_ANGLE = re.compile(r"<(?!https?://)")


def _as_slack_sends(text: str) -> str:
    """Slack escapes &, < and > in message text before delivering it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _visible(call: Call) -> str:
    return json.dumps({"text": call.body.get("text"), "blocks": call.body.get("blocks")}, ensure_ascii=False)


def test_every_payload_in_a_dm_gets_an_escaped_reply(slack: SlackApp) -> None:
    for i, payload in enumerate(PAYLOADS):
        user = f"UH{i:03d}"
        assert slack.platform.dm(user, _as_slack_sends(payload)).status_code == 200
        reply = slack.fake.wait_posts(1, f"D{user}")[0]
        text = _visible(reply)
        assert not RAW_ANGLE.search(reply.body.get("text") or ""), reply.body.get("text")
        assert "<script" not in text and "<img" not in text and "<|im_start|>" not in text
        assert "<!channel>" not in text and "<!everyone>" not in text


def test_a_payload_echoed_in_a_request_summary_is_escaped(slack: SlackApp) -> None:
    user = "UHECHO"
    slack.platform.dm(user, "please delete all my personal data")
    asked = slack.fake.wait_posts(1, f"D{user}")[0]
    slack.platform.click(user, asked, "everything")
    slack.fake.wait_posts(2, f"D{user}")
    payload = "<script>alert(1)</script> <!channel> <@U999|boss>"
    slack.platform.dm(user, _as_slack_sends(payload))
    summary = slack.fake.wait_posts(3, f"D{user}")[2]
    text = summary.body.get("text") or ""
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text  # shown, as text
    assert not RAW_ANGLE.search(text) and "<!channel>" not in text
