"""Slack, played for real over loopback: a Web API server that records every call, and a
'platform' that sends signed Events API / command / interactivity requests to the app."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
from slack_sdk.signature import SignatureVerifier

BOT_USER = "UBOT"
TEAM = "T0001"


@dataclass
class Call:
    """One request the app made to the fake Web API."""

    http_method: str
    path: str
    api: str  # "chat.postMessage", ... or "response_url"
    body: dict[str, Any]
    status: int
    ok: bool
    answer: dict[str, Any] = field(default_factory=dict)

    @property
    def ts(self) -> str:
        """The ts the fake gave a posted message."""
        return str(self.answer.get("ts") or self.answer.get("message_ts") or "")


@dataclass
class FakeUser:
    email: str | None
    name: str
    exists: bool = True


@dataclass
class _Failure:
    error: str
    retry_after: int | None = None  # set: answer 429 with this Retry-After
    channel: str | None = None  # set: only calls to this channel fail


class FakeSlack:
    """The Slack Web API on 127.0.0.1:<port 0>, answering like Slack (ok, ts, channel ids, profiles)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.users: dict[str, FakeUser] = {}
        self._failures: dict[str, list[_Failure]] = {}
        self._changed = threading.Condition()
        self._ts = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                fake._serve(self, "GET")

            def do_POST(self) -> None:
                fake._serve(self, "POST")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = f"{self.base}/api/"
        self._thread = threading.Thread(target=self.server.serve_forever, name="fake-slack", daemon=True)

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- configuring -----------------------------------------------------------------------
    def user(self, user_id: str, *, email: str | None = "", name: str = "", exists: bool = True) -> None:
        """Set what users.info says about `user_id` (email None: no e-mail in the profile)."""
        self.users[user_id] = FakeUser(
            f"{user_id.lower()}@example.com" if email == "" else email, name or f"User {user_id}", exists
        )

    def fail(self, api: str, error: str, *, times: int = 1, channel: str | None = None) -> None:
        """The next `times` calls of `api` (to `channel`, if given) answer ok:false with `error`."""
        with self._changed:
            self._failures.setdefault(api, []).extend(_Failure(error, None, channel) for _ in range(times))

    def rate_limit(self, api: str, *, retry_after: int = 1, times: int = 1, channel: str | None = None) -> None:
        """The next `times` calls of `api` answer HTTP 429 with this Retry-After."""
        with self._changed:
            self._failures.setdefault(api, []).extend(
                _Failure("ratelimited", retry_after, channel) for _ in range(times)
            )

    # -- inspecting ------------------------------------------------------------------------
    def calls_to(self, api: str, *, ok_only: bool = True) -> list[Call]:
        with self._changed:
            return [c for c in self.calls if c.api == api and (c.ok or not ok_only)]

    def posts(self, channel: str | None = None) -> list[Call]:
        """Successful chat.postMessage calls (to `channel` if given)."""
        return [c for c in self.calls_to("chat.postMessage") if channel is None or c.body.get("channel") == channel]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 30.0, what: str = "a Slack call") -> Any:
        """Block until predicate() is truthy (re-checked on every call); fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out waiting for {what}; calls: {[c.api for c in self.calls]}")
                self._changed.wait(min(remaining, 0.5))

    def wait_posts(self, count: int, channel: str | None = None, timeout: float = 30.0) -> list[Call]:
        return self.wait_for(
            lambda: (p := self.posts(channel)) and len(p) >= count and p,
            timeout,
            f"{count} chat.postMessage to {channel or 'any channel'}",
        )

    # -- serving ---------------------------------------------------------------------------
    def _serve(self, request: BaseHTTPRequestHandler, http_method: str) -> None:
        parsed = urlparse(request.path)
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length).decode() if length else ""
        body: dict[str, Any] = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        if raw:
            if "json" in (request.headers.get("Content-Type") or ""):
                body.update(json.loads(raw))
            else:
                body.update({k: v[0] for k, v in parse_qs(raw).items()})
        api = parsed.path.removeprefix("/api/") if parsed.path.startswith("/api/") else "response_url"
        with self._changed:
            queued = self._failures.get(api) or []
            failure = next((f for f in queued if f.channel in (None, body.get("channel"))), None)
            if failure is not None:
                queued.remove(failure)
        status, headers, answer = 200, {}, {"ok": True}
        if failure is not None and failure.retry_after is not None:
            status, headers, answer = (
                429,
                {"Retry-After": str(failure.retry_after)},
                {"ok": False, "error": "ratelimited"},
            )
        elif failure is not None:
            answer = {"ok": False, "error": failure.error}
        else:
            answer = self._answer(api, body)
        with self._changed:
            self.calls.append(
                Call(http_method, parsed.path, api, body, status, status == 200 and bool(answer.get("ok")), answer)
            )
            self._changed.notify_all()
        data = json.dumps(answer).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)

    def _answer(self, api: str, body: dict[str, Any]) -> dict[str, Any]:
        if api == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": "Fake",
                "user": "privacy-bot",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": "BBOT",
            }
        if api == "users.info":
            user_id = str(body.get("user"))
            user = self.users.get(user_id) or FakeUser(f"{user_id.lower()}@example.com", f"User {user_id}")
            if not user.exists:
                return {"ok": False, "error": "user_not_found"}
            profile: dict[str, Any] = {"real_name": user.name, "display_name": user.name}
            if user.email:
                profile["email"] = user.email
            return {
                "ok": True,
                "user": {
                    "id": user_id,
                    "team_id": TEAM,
                    "name": user_id.lower(),
                    "real_name": user.name,
                    "profile": profile,
                },
            }
        if api == "conversations.open":
            user_id = str(body.get("users", "")).split(",")[0]
            if user_id in self.users and not self.users[user_id].exists:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "channel": {"id": f"D{user_id}"}}
        if api == "chat.postMessage":
            ts = f"{1_700_000_000 + next(self._ts)}.000100"
            return {
                "ok": True,
                "channel": body.get("channel"),
                "ts": ts,
                "message": {"text": body.get("text"), "ts": ts, "user": BOT_USER, "bot_id": "BBOT"},
            }
        if api == "chat.update":
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}
        if api == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1_700_000_000 + next(self._ts)}.000200"}
        return {"ok": True}


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0, what: str = "a condition") -> Any:
    """Poll predicate() until truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@dataclass
class SlackPlatform:
    """Slack's side of the app's endpoint: signed requests to POST /slack/events."""

    app_url: str
    signing_secret: str
    fake: FakeSlack
    team: str = TEAM
    _counter: Any = field(default_factory=lambda: itertools.count(1))

    def _next(self) -> int:
        return next(self._counter)

    def next_ts(self) -> str:
        return f"{1_800_000_000 + self._next()}.000100"

    def send(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        retry_num: int | None = None,
        client: httpx.Client | None = None,
    ) -> httpx.Response:
        """POST a body signed the way Slack signs it (or with the given timestamp/signature)."""
        timestamp = int(time.time()) if timestamp is None else timestamp
        if signature is None:
            signature = SignatureVerifier(self.signing_secret).generate_signature(timestamp=str(timestamp), body=body)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": signature,
        }
        if retry_num:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        url = f"{self.app_url}/slack/events"
        if client is not None:
            return client.post(url, content=body.encode(), headers=headers)
        return httpx.post(url, content=body.encode(), headers=headers, timeout=30)

    def event_body(self, event: dict[str, Any], *, event_id: str | None = None) -> str:
        return json.dumps(
            {
                "token": "legacy",
                "team_id": self.team,
                "api_app_id": "A0001",
                "type": "event_callback",
                "event": event,
                "event_id": event_id or f"Ev{self._next():08d}",
                "event_time": int(time.time()),
                "authorizations": [{"team_id": self.team, "user_id": BOT_USER, "is_bot": True}],
            }
        )

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None, **kwargs: Any
    ) -> httpx.Response:
        return self.send(self.event_body(event, event_id=event_id), "application/json", retry_num=retry_num, **kwargs)

    def dm_event(self, user: str, text: str, *, ts: str | None = None) -> dict[str, Any]:
        return {
            "type": "message",
            "channel_type": "im",
            "channel": f"D{user}",
            "user": user,
            "text": text,
            "ts": ts or self.next_ts(),
            "team": self.team,
        }

    def dm(self, user: str, text: str) -> httpx.Response:
        return self.event(self.dm_event(user, text))

    def mention(self, user: str, channel: str, text: str, *, ts: str | None = None) -> httpx.Response:
        return self.event(
            {
                "type": "app_mention",
                "channel": channel,
                "user": user,
                "ts": ts or self.next_ts(),
                "text": f"<@{BOT_USER}> {text}",
                "team": self.team,
            }
        )

    def command(self, user: str, channel: str, text: str = "") -> httpx.Response:
        return self.send(self.command_body(user, channel, text), "application/x-www-form-urlencoded")

    def command_body(self, user: str, channel: str, text: str = "") -> str:
        """The form body of one /privacy invocation (send it twice to replay it)."""
        n = self._next()
        form = {
            "token": "legacy",
            "team_id": self.team,
            "team_domain": "fake",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/privacy",
            "text": text,
            "api_app_id": "A0001",
            "response_url": f"{self.fake.base}/response/{n}",
            "trigger_id": f"{n}.trigger",
        }
        return urlencode(form)

    def click(
        self,
        user: str,
        post: Call | None,
        value: str,
        *,
        channel: str | None = None,
        ephemeral: bool = False,
        view: bool = False,
        action_id: str | None = None,
    ) -> httpx.Response:
        """Click the button with this value on a message the bot posted (or on the Home view)."""
        body = self.click_body(user, post, value, channel=channel, ephemeral=ephemeral, view=view, action_id=action_id)
        return self.send(body, "application/x-www-form-urlencoded")

    def click_body(
        self,
        user: str,
        post: Call | None,
        value: str,
        *,
        channel: str | None = None,
        ephemeral: bool = False,
        view: bool = False,
        action_id: str | None = None,
    ) -> str:
        """The form body of one click (send it twice to replay it)."""
        n = self._next()
        message: dict[str, Any] = {}
        label = value
        if post is not None:
            message = {
                "type": "message",
                "user": BOT_USER,
                "bot_id": "BBOT",
                "text": post.body.get("text"),
                "ts": post.ts,
                "blocks": _blocks(post),
            }
            if post.body.get("thread_ts"):
                message["thread_ts"] = post.body["thread_ts"]
            button = next(
                (
                    e
                    for b in _blocks(post)
                    if b.get("type") == "actions"
                    for e in b["elements"]
                    if e.get("value") == value
                ),
                None,
            )
            assert button is not None, f"no button {value!r} on {post.body.get('text')!r}"
            action_id, label = button["action_id"], button["text"]["text"]
        channel = channel or (post.body.get("channel") if post else None)
        if view:
            container: dict[str, Any] = {"type": "view", "view_id": "V0001"}
        else:
            container = {
                "type": "message",
                "message_ts": message.get("ts", "1.0"),
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "token": "legacy",
            "api_app_id": "A0001",
            "trigger_id": f"{n}.trigger",
            "user": {"id": user, "team_id": self.team, "username": user.lower()},
            "team": {"id": self.team},
            "container": container,
            "response_url": f"{self.fake.base}/response/{n}",
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id or f"choice:{value}",
                    "block_id": "choices",
                    "value": value,
                    "text": {"type": "plain_text", "text": label},
                    "action_ts": f"{n}.5",
                }
            ],
        }
        if not view:
            payload["channel"] = {"id": channel, "name": "directmessage" if str(channel).startswith("D") else "general"}
            if not ephemeral:
                payload["message"] = message
        else:
            payload["view"] = {"id": "V0001", "type": "home"}
        return urlencode({"payload": json.dumps(payload)})


def _blocks(post: Call) -> list[dict[str, Any]]:
    blocks = post.body.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks
