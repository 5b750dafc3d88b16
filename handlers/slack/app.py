"""One Bolt app for both transports: HTTP at POST /slack/events (mounted in FastAPI) and Socket Mode.

Acknowledgement: every listener acks inline (process_before_response=True) and does its slow work
— the engine turn, Web API calls — in a Bolt lazy listener on a thread pool, so Slack hears back
well within 3 seconds and the ack never waits behind slow work. Bolt's dispatch is synchronous,
so the FastAPI route runs it in a worker thread rather than on the event loop.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from slack_bolt import App
from slack_bolt.adapter.fastapi import SlackRequestHandler
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk import WebClient

from handlers.deps import Services
from handlers.errors import error_response
from handlers.slack import actions, commands, events, feedback
from handlers.slack.client import web_client
from handlers.slack.talk import SlackTalk

LAZY_WORKERS = 16


def build_bolt_app(services: Services, *, client: WebClient | None = None) -> App:
    """The Bolt app with every listener; the same object serves HTTP and Socket Mode."""
    settings = services.settings
    signing_secret = settings.SLACK_SIGNING_SECRET or ""
    app = App(
        name="privacy-helpdesk",
        client=client or web_client(settings),
        signing_secret=signing_secret,
        # Socket Mode needs no signing secret; HTTP mode is only mounted when there is one.
        request_verification_enabled=bool(signing_secret),
        # No Web API call while starting up: auth.test runs on the first event instead.
        token_verification_enabled=False,
        process_before_response=True,
        listener_executor=ThreadPoolExecutor(max_workers=LAZY_WORKERS, thread_name_prefix="slack-lazy"),
    )
    talk = SlackTalk(services)
    events.register(app, talk)
    commands.register(app, talk)
    actions.register(app, talk)
    feedback.register(app, talk)
    return app


class ThreadedRequestHandler(SlackRequestHandler):
    """Bolt's FastAPI adapter, dispatching in a worker thread (its dispatch would block the loop)."""

    async def handle(self, req: Request, addition_context_properties: dict[str, Any] | None = None) -> Response:
        body = await req.body()
        try:
            bolt_request = to_bolt_request(req, body, addition_context_properties)
        except (ValueError, UnicodeDecodeError):  # not Slack's JSON or form encoding at all
            return error_response(400, "invalid_request", "The request body is not a Slack payload.")
        return to_starlette_response(await run_in_threadpool(self.app.dispatch, bolt_request))


def slack_router(services: Services) -> APIRouter:
    """POST /slack/events for events, /privacy and interactivity (signature-verified by Bolt)."""
    bolt = services.extras.get("slack") or build_bolt_app(services)
    services.extras["slack"] = bolt
    handler = ThreadedRequestHandler(bolt)
    router = APIRouter()

    @router.post("/slack/events", include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    return router
