"""Input hygiene for every channel: clean text, and validators for request fields."""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError
from email_validator import validate_email as _check_email

from bot.errors import InvalidInput

MAX_MESSAGE_CHARS = 2000
MAX_FIELD_CHARS = 1000
MAX_EMAIL_CHARS = 254  # RFC 5321's limit on a forward path
# A candidate address inside free text (international domains included); validate_email decides.
_EMAIL_IN_TEXT = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# A ticket reference: PRV- and two groups of four from Crockford's base32 (see bot.cases.tickets).
REFERENCE_RE = re.compile(r"\bPRV-[0-9A-Z]{4}-[0-9A-Z]{4}\b", re.IGNORECASE)


def clean_text(text: str) -> str:
    """Normalise Unicode (NFKC), drop control and format characters, collapse whitespace.

    Zero-width and bidi-override characters can hide text from a reviewer, and control
    characters can corrupt logs and terminals, so none of them survive.
    """
    normalised = unicodedata.normalize("NFKC", text)
    kept = []
    for ch in normalised:
        category = unicodedata.category(ch)
        if ch in "\n\t":
            kept.append(" " if ch == "\t" else ch)
        elif category[0] == "C":  # Cc control, Cf format, Cs surrogate, Co private, Cn unassigned
            continue
        else:
            kept.append(ch)
    lines = [" ".join(line.split()) for line in "".join(kept).split("\n")]
    return "\n".join(line for line in lines if line).strip()


def validate_email(value: str) -> str:
    """An e-mail address as the standards allow it (RFC 5322 syntax, international domains and
    mailboxes per RFC 6531, e.g. jane@müller.de), normalised (Unicode domain) and lower-cased.

    The one check every channel uses: chat, console, Slack profiles and the CLI. Syntax only —
    no DNS lookups, so it works offline and leaks nothing about who is typing what.
    """
    candidate = value.strip()
    if candidate.startswith("<") and candidate.endswith(">"):
        candidate = candidate[1:-1].strip()
    try:
        normalised = _check_email(candidate, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        normalised = ""
    if not normalised or len(normalised) > MAX_EMAIL_CHARS:
        raise InvalidInput("That doesn't look like an e-mail address. Please type it like name@company.com.")
    return normalised


def normalize_email(value: str) -> str:
    """The form `validate_email` stores, for lookups; text that is no address is only trimmed and lower-cased."""
    try:
        return validate_email(value)
    except InvalidInput:
        return value.strip().lower()


def ascii_email(email: str) -> str:
    """The address with its domain in ASCII (IDNA: müller.de → xn--mller-kva.de), as SMTP servers
    without SMTPUTF8 need it; a non-ASCII mailbox name is left as it is."""
    try:
        result = _check_email(email, check_deliverability=False)
    except EmailNotValidError:
        return email
    return f"{result.local_part}@{result.ascii_domain}"


def find_email(text: str) -> str | None:
    """The first valid e-mail address inside free text, normalised, if any."""
    for match in _EMAIL_IN_TEXT.finditer(text):
        try:
            return validate_email(match.group(0).rstrip("."))
        except InvalidInput:
            continue
    return None


def find_reference(text: str) -> str | None:
    """The first ticket reference inside free text, upper-cased, if any."""
    match = REFERENCE_RE.search(text)
    return match.group(0).upper() if match else None


def validate_code(value: str) -> str:
    """Exactly six digits (spaces and dashes tolerated: '123 456')."""
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"\d{6}", digits):
        raise InvalidInput("The code has six digits, like 123456.")
    return digits


def validate_text(value: str, *, min_chars: int = 1, max_chars: int = MAX_FIELD_CHARS, what: str = "answer") -> str:
    text = value.strip()
    if len(text) < min_chars:
        raise InvalidInput(f"Please give a little more detail in your {what} (at least {min_chars} characters).")
    if len(text) > max_chars:
        raise InvalidInput(f"Please keep your {what} under {max_chars} characters.")
    return text


def mask_email(email: str | None) -> str:
    """j***@example.com — enough for a user to recognise, useless to a log reader."""
    if not email or "@" not in email:
        return "***"
    local, domain = email.split("@", 1)
    return f"{local[:1]}***@{domain}"
