"""Reading a message in context: follow-ups and the core of a long message.

A short message that leans on what came before ("and for cookies?", "how long for that?") is also
searched together with the previous question. A long message ("Hello, I manage our building's
account and our board asked me how long KONE keeps our data. Can you tell me?") or one asked on
someone's behalf ("our legal team wants to know whether…") is also searched by its core question.
Of the readings, the one the decision trusts more is kept.
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
# "marketing too?", "any other tools?", "how can I learn more?": a short message that adds to the last.
_ADDS_TO = re.compile(r"\b(too|also|as well|either|other|more|else|instead|then|any downside|downsides?)\b", re.I)
SHORT_WORDS = 6


def leans_on_previous(text: str) -> bool:
    """Whether the message is too short or elliptical to be read alone."""
    words = text.split()
    if not words or len(words) > MAX_WORDS:
        return False
    content = tokens(text)
    if _LEANS.match(text) or (len(words) <= 4 and len(content) <= 1):  # "why?", "for how long?"
        return True
    if len(words) <= SHORT_WORDS and _ADDS_TO.search(text):
        return True
    if len(words) <= 5 and text.rstrip().endswith("?") and not any(t in _SUBJECT_STEMS for t in content):
        return True  # "will anything break?", "is it mandatory?": a short question that names no subject
    return bool(_POINTS_BACK.search(text)) and len(content) <= 3


# Words that name what a privacy question is about: a short question naming one of them can be read
# alone ("what is a cookie?"); one naming none leans on the previous question.
_SUBJECT_STEMS = frozenset(
    tokens(
        """data personal information info details cookies analytics tracking browser portal mykone kone online
        statement policy privacy notice marketing newsletter email phone number name title address contact
        consent rights deletion delete erase correct correction objection object complaint authority
        transfer abroad outside eu eea retention keep stored storage purpose purposes legal basis interest
        company employer customer sources account request fee security"""
    )
)


# What a question is about, as opposed to what it asks ("how long do you keep"): a follow-up that
# names a topic of its own ("and for cookies?") keeps the earlier question's frame, not its topic.
_TOPICS = frozenset(
    """data personal information info details cookies cookie controller portal kone eu eea consent rights right
    processing process statement privacy company customer account my me your you about""".split()
)
_WORD = re.compile(r"[A-Za-z’']+")


def whole(text: str, previous: str) -> str:
    """The follow-up read with the whole previous question ("any downside? (can I disable cookies?)")."""
    return f"{text.strip()} ({previous.strip()[:MAX_PREVIOUS]})"


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


_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_ON_BEHALF = re.compile(
    r"^.*?\b(?:wants?|would like|asked me|asks|asking|needs?|wondering|wonders)\b(?: me)?(?: to)?"
    r"(?: (?:know|find out|understand|check|ask))?\s*(?:if|whether|about)?\s+",
    re.I,
)
LONG_WORDS = 18


def core(text: str) -> str | None:
    """The question at the heart of a long or relayed message, if it differs from the message."""
    sentences = [s for s in _SENTENCE.split(text.strip()) if s]
    question = text.strip()
    if len(sentences) > 1:
        asked = [i for i, s in enumerate(sentences) if s.endswith("?")]
        i = asked[-1] if asked else len(sentences) - 1
        question = sentences[i]
        if len(tokens(question)) < 4 and i > 0:  # "Can you tell me?" leans on the sentence before
            question = f"{sentences[i - 1]} {question}"
    relayed = _ON_BEHALF.sub("", question, count=1)
    if relayed != question and len(tokens(relayed)) >= 2:
        question = relayed
    return question if question != text.strip() else None
