"""Personal data out of stored questions: e-mail addresses and phone numbers are masked before a
question is kept, so neither the Knowledge page nor a taught hint ever holds them."""

from __future__ import annotations

import re

EMAIL_MASK = "[email]"
PHONE_MASK = "[phone]"
_EMAIL = re.compile(r"[\w.+%-]+\s?(?:@|\(at\)|\[at\])\s?[\w-]+(?:\.[\w-]+)+", re.I)
# A run of digits with the usual separators; seven digits or more make it a phone number.
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-/]{5,}\d(?!\w)")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def mask_personal(text: str) -> str:
    """`text` with every e-mail address and phone number replaced by a placeholder."""
    masked = _EMAIL.sub(EMAIL_MASK, text)

    def phone(match: re.Match[str]) -> str:
        value = match.group()
        digits = sum(c.isdigit() for c in value)
        return PHONE_MASK if digits >= 7 and not _ISO_DATE.match(value.strip()) else value

    return _PHONE.sub(phone, masked)
