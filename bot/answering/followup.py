"""Follow-up questions ("and for cookies?", "how long for that?") read against the previous one.

A short message that leans on what came before — it starts with "and"/"what about", or it is
mostly a pronoun — is also searched together with the previous question; the reading the
decision trusts more is kept.
"""

from __future__ import annotations

import re

from knowledge.lexical import tokens

MAX_WORDS = 9
MAX_PREVIOUS = 300  # characters kept of the previous question (it lives in the conversation state)
_LEANS = re.compile(
    r"^\W*(and|but|also|or|so|then|what about|how about|same for|what of|and what about|and how about)\b", re.I
)
_POINTS_BACK = re.compile(r"\b(that|it|this|those|these|them|they|there|same|one|ones)\b", re.I)


def leans_on_previous(text: str) -> bool:
    """Whether the message is too short or elliptical to be read alone."""
    words = text.split()
    if not words or len(words) > MAX_WORDS:
        return False
    content = tokens(text)
    if _LEANS.match(text):
        return True
    return bool(_POINTS_BACK.search(text)) and len(content) <= 3


def combined(text: str, previous: str) -> str:
    """The follow-up read with the previous question: its words first, the earlier topic after."""
    return f"{text.strip()} ({previous.strip()[:MAX_PREVIOUS]})"
