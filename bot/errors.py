"""The helpdesk's error family. Business code raises these; the web layer maps them to JSON."""

from __future__ import annotations


class HelpdeskError(Exception):
    """Root of every error the helpdesk raises on purpose."""

    status = 400
    code = "helpdesk_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class InvalidInput(HelpdeskError):
    """The input is well-formed but not acceptable."""

    status = 422
    code = "invalid_input"


class MessageTooLong(HelpdeskError):
    """A chat message is over the length limit."""

    status = 413
    code = "message_too_long"


class RetrievalError(HelpdeskError):
    """The knowledge index cannot be searched."""

    status = 503
    code = "retrieval_unavailable"


class StoreUnavailable(HelpdeskError):
    """The database cannot be reached right now."""

    status = 503
    code = "store_unavailable"


class TicketNotFound(HelpdeskError):
    """No ticket with that reference (or not one this caller may see)."""

    status = 404
    code = "ticket_not_found"


class TransitionRefused(HelpdeskError):
    """The ticket's lifecycle does not allow that action now."""

    status = 409
    code = "transition_refused"


class VerificationFailed(HelpdeskError):
    """An identity check failed (wrong, expired or exhausted code)."""

    status = 403
    code = "verification_failed"


class RateLimited(HelpdeskError):
    """Too many requests; try again after `retry_after` seconds."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotAuthenticated(HelpdeskError):
    """No valid console session or API token."""

    status = 401
    code = "not_authenticated"


class Forbidden(HelpdeskError):
    """Authenticated, but the role does not allow this."""

    status = 403
    code = "forbidden"


class ConfigurationError(HelpdeskError):
    """A setting is wrong or a package it needs is missing: the process cannot start."""

    status = 500
    code = "configuration_error"


class LinkNotFound(HelpdeskError):
    """No download link with that secret."""

    status = 404
    code = "link_not_found"


class LinkGone(HelpdeskError):
    """A download link that existed but no longer works (expired, revoked or purged)."""

    status = 410
    code = "link_gone"
