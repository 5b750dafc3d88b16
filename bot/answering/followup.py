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


# What a question is about, as opposed to what it asks ("how long do you keep"): a follow-up that
# names a topic of its own ("and for cookies?") keeps the earlier question's frame, not its topic.
_TOPICS = frozenset(
    """data personal information info details cookies cookie controller portal kone eu eea consent rights right
    processing process statement privacy company customer account my me your you about""".split()
)
_WORD = re.compile(r"[A-Za-z’']+")


def combined(text: str, previous: str) -> str:
    """The follow-up read with the previous question. A pronoun ("can I turn them off?") or no
    topic of its own takes the whole previous question along; a new topic ("and for cookies?")
    takes only its frame ("how long do keep")."""
    previous = previous.strip()[:MAX_PREVIOUS]
    own = [t for t in tokens(text) if t not in ("what", "about", "and")]
    if _POINTS_BACK.search(text) or not own:
        return f"{text.strip()} ({previous})"
    frame = " ".join(w for w in _WORD.findall(previous) if w.lower() not in _TOPICS)
    return f"{text.strip()} ({frame})"
