"""`privacy-bot slack`: the same Bolt app over Socket Mode (no public URL needed)."""

from __future__ import annotations

import argparse
import sys
import threading
from typing import Any

NOT_CONFIGURED = (
    "privacy-bot slack: Slack is not configured. Set SLACK_BOT_TOKEN (xoxb-…, from OAuth & Permissions) "
    "and SLACK_APP_TOKEN (xapp-…, an app-level token with the connections:write scope), then run this "
    'again. See the README section "Slack".'
)


def add_command(sub: Any) -> None:
    """Register `slack` on the `privacy-bot` sub-command parser."""
    sub.add_parser(
        "slack", help="connect the Slack bot in Socket Mode (SLACK_BOT_TOKEN, SLACK_APP_TOKEN)"
    ).set_defaults(func=cmd_slack)


def build_socket_mode_handler(services: Any) -> Any:
    """The Socket Mode handler around the same Bolt app as HTTP mode; constructing it connects nothing."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from handlers.slack.app import build_bolt_app

    bolt = services.extras.get("slack") or build_bolt_app(services)
    services.extras["slack"] = bolt
    return SocketModeHandler(bolt, app_token=services.settings.SLACK_APP_TOKEN)


def cmd_slack(args: argparse.Namespace) -> int:
    """Run the Slack bot over Socket Mode until interrupted; the outbox runs here too."""
    settings = args.wiring.settings()
    if not (settings.SLACK_BOT_TOKEN and settings.SLACK_APP_TOKEN):
        print(NOT_CONFIGURED, file=sys.stderr)
        return 2
    print("Starting (loading the model and the index)...", file=sys.stderr)
    services = args.wiring.build_services(settings)
    handler = build_socket_mode_handler(services)
    refused = _refused(handler.app.client)
    if refused:
        print(
            f"privacy-bot slack: could not verify SLACK_BOT_TOKEN with Slack ({refused}); check the token "
            'and the network (README "Slack").',
            file=sys.stderr,
        )
        return 2
    services.outbox.start()  # receipts and agent posts go out even with no HTTP server running
    if settings.SCHEDULER_ENABLED and services.scheduler is not None:
        services.scheduler.start()  # and deadline reminders (one runner across processes)
    try:
        handler.connect()
        print("Listening to Slack over Socket Mode. Press Ctrl+C to stop.", file=sys.stderr)
        threading.Event().wait()
    finally:
        handler.close()
        if services.scheduler is not None:
            services.scheduler.stop()
        services.outbox.stop()
    return 0


def _refused(client: Any) -> str | None:
    """Why the bot token can't be used, or None; said up front rather than in a reconnect loop."""
    from slack_sdk.errors import SlackApiError

    try:
        client.auth_test()
    except SlackApiError as exc:
        return str(exc.response.get("error") or "error")
    except OSError as exc:  # Slack (or SLACK_API_URL) unreachable
        return type(exc).__name__
    return None
