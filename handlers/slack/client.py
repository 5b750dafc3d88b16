"""The Slack Web API client every Slack part uses: SLACK_API_URL honoured, 429s retried."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.settings import Settings

DEFAULT_API_URL = "https://slack.com/api/"


def web_client(settings: Settings) -> WebClient:
    """A WebClient for the bot token that waits out `Retry-After` on 429s (twice at most)."""
    base_url = settings.SLACK_API_URL or DEFAULT_API_URL
    return WebClient(
        token=settings.SLACK_BOT_TOKEN,
        base_url=base_url if base_url.endswith("/") else base_url + "/",
        timeout=15,
        # Further failures surface as exceptions: the outbox (notifications) or Slack's own
        # redelivery (events) retries them, so nothing waits here longer than a rate limit asks.
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1), RateLimitErrorRetryHandler(max_retry_count=2)],
    )
