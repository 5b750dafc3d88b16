"""Input hygiene for every channel: clean text, and validators for request fields."""

from __future__ import annotations

import re
import unicodedata

from bot.errors import InvalidInput

MAX_MESSAGE_CHARS = 2000
MAX_FIELD_CHARS = 1000
# Pragmatic e-mail check: one @, a dot in the domain, no spaces; RFC 5321 length limits.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_EMAIL_IN_TEXT = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
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
    """A plausible e-mail address, lower-cased."""
    email = value.strip().strip("<>").lower()
    if len(email) > 254 or not _EMAIL.match(email) or ".." in email:
        raise InvalidInput("That doesn't look like an e-mail address. Please type it like name@company.com.")
    return email


def find_email(text: str) -> str | None:
    """The first e-mail address inside free text, if any."""
    match = _EMAIL_IN_TEXT.search(text)
    return match.group(0).lower() if match else None


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
