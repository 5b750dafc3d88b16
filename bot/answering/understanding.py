"""What a message says, computed once per turn: language, intent, answer, and conversational cues."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from bot.answering import followup, language
from bot.answering.answers import Answer, Answerer
from bot.answering.intents import IntentClassifier, Prediction
from bot.flows import RELATED_REQUESTS, REQUEST_TYPES
from bot.validation import find_reference

_AFFIRMATIVE = re.compile(
    r"^(y|ya|yes|yep|yeah|yup|sure|ok|okay|confirm(ed)?|correct|go ahead|do it|please do|file it|that's right|right)"
    r"\b[.! ]*$",
    re.I,
)
_NEGATIVE = re.compile(r"^(n|no|nope|nah|no thanks|no thank you|not now|don't|do not)\b[.! ]*$", re.I)
_CANCEL = re.compile(
    r"^(cancel|stop|quit|abort|exit|never ?mind|nvm|forget it|forget about it|cancel (it|that|this|the request))"
    r"[.! ]*$",
    re.I,
)
_BACK = re.compile(r"^(back|go back|previous|undo|previous question)[.! ]*$", re.I)
_RESEND = re.compile(
    r"\b(resend|send (it |the code |a new code |another code |a code )?again|new code|another code"
    r"|didn'?t (get|receive))\b",
    re.I,
)
_LOOKS_LIKE_VALUE = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$|^[\d\s-]{6,9}$")
_CORRECTION = re.compile(
    r"^(?:(?:actually|correction|sorry|oops|wait)[,:!.\s]+)?(?:(?:change|update|correct|fix)\s+)?(?:my|the)\s+"
    r"(?P<field>full name|name|e-?mail(?: address)?|company|grounds|reason|description|topic)\s+"
    r"(?:is actually|should be|is|was meant to be|to|=|:)\s+(?P<value>.+)$",
    re.I,
)
UNSURE = 0.7  # below this a top-level 'off-topic' verdict yields to a confident answer; rules give 1.0
# A request is started only when the message asks for it: worded as a request ("please…", "can you…"),
# or not worded as a question and classified as one with at least this probability ("delete my data").
# Otherwise: answer and offer.
START_AT = 0.85
OFFER_FLOOR = 0.04  # a request the classifier gives this much beside "question" is offered with the answer
# A request the classifier ranks no more than this far above "question" is a toss-up: the message is
# answered and the request offered, never started ("Can I bring my dog to the office, please?" came
# out handoff 0.383 against question 0.383).
TOSS_UP = 0.05
_ASKS_ABOUT = re.compile(
    r"^\W*(?:hi|hello|hey|ok|so|and|but|just wondering|quick question)?[,!:\s]*"
    r"(can i|could i|may i|am i|do|does|did|is|are|was|were|has|have|how|hw|what|wat|whats|why|when|where"
    r"|who|whom|which|should|shall|if|in case|is it)\b",
    re.I,
)
_ASKS_FOR = re.compile(
    r"\b(please|pls|plz|kindly|i want|i wish|i would like|i'd like|i need|i request|i demand|i hereby"
    r"|can you|could you|would you|will you|can u|could u|let me|go ahead|i'm requesting|i am requesting"
    r"|i (just|only|really) want)\b",
    re.I,
)
_POLITE = re.compile(r"\b(please|pls|plz|kindly)\b", re.I)
_PERSON = re.compile(r"\b(person|human|someone|somebody|agent|people|speak|talk|call me|representative)\b", re.I)
# An imperative at the start of a sentence asks for the thing itself ("Remove my profile.").
_IMPERATIVE = re.compile(
    r"(?:^|[.!?;,–—-]\s+)(?:please\s+|kindly\s+|just\s+|so\s+)?(delete|remove|erase|wipe|forget|correct|fix|update"
    r"|change|stop|export|get rid of|quit|cease|halt|make (it|them|this) stop|exercise|log|record|register|file"
    r"|send|give|withdraw|revoke|unsubscribe|close|object|opt me out|take (me|him|her|them) off|transfer|port|show"
    r"|pull|hand over|lodge|list|provide|forward|email)\b",
    re.I,
)
# An imperative sentence after a question: "what data do you have on me? send it to me".
_THEN_IMPERATIVE = re.compile(
    r"\?\s+(?:please\s+|now\s+|just\s+)?(delete|remove|erase|send|give|correct|fix|update|stop|export|show|list"
    r"|provide|pull|hand|forward|email)\b",
    re.I,
)
_WONDERS = re.compile(
    r"\b(wants? to know|wanted to know|like to know|wonder(s|ing)?|curious|tell me|explain|to understand|find out"
    r"|any idea|not (asking|going|trying) to|(don't|do not) want to (\w+ )?(anything|delete|remove|object|file|start)"
    r"|just asking|before (i|she|he) decides?"
    r"|^(consequences|effects?|impact|implications|risks?|downsides?|process|procedure|steps|rules) (of|for|to)"
    r"|how (does|would|will|do) (that|it|this) work"
    r"|hypothetically|in case|what if|if i (ever )?(ask|asked|request|requested|wanted|object|objected|withdraw))\b",
    re.I,
)
# "who do I talk to about my data?" asks whom to contact, not for a person now.
_ASKS_WHO = re.compile(r"^\W*(?:hi|hello|hey|so)?[,!:\s]*(who|where|which|what)\b", re.I)
# "what if my request is refused": a question about a request, not about one's own.
_SUPPOSES = re.compile(r"\b(what if|if my|in case)\b", re.I)
# "revoke consent how?": a request's words, then a question word asking how it works.
_ASKS_HOW = re.compile(r"\b(how|what|when|why|where|which|who|whether)\b[^.!?]*\?\s*$", re.I)
# A first-person statement of what one wants done, not worded as a question ("I no longer consent",
# "I object to…", "I don't want any more surveys", "right to be forgotten - I'm exercising it").
_STATES_WISH = re.compile(
    r"\b(i (no longer|hereby|formally|officially)|i ((also|therefore|thus|now|strongly|really|hence) )?"
    r"(object|withdraw|revoke|refuse|take back|opt out)"
    r"|(wants|would like|asked me|has asked me) to (see|get|receive|have) (a copy|all|every|his|her|their|the data)"
    r"|i('m| am) (exercising|invoking|objecting|withdrawing|revoking)|i don't want (any|you|kone)"
    r"|i do not want (any|you|kone)|i (don't|do not) want to (receive|get|be)|on (his|her|their|my) behalf"
    r"|asked me to (get|have|make|ask))\b",
    re.I,
)
# A status question about requests in general ("can a request be cancelled after it's submitted?"),
# not about one's own request: a question about how requests work.
_GENERIC_REQUEST = re.compile(
    r"\b(a|an) (\w+ )?(request|ticket|case|objection)\b"
    r"|^\W*(how (will|would|do|does|can|could)|what (details|information|info)"
    r"|who (can|could|will|would|does|do) (see|read|handle|process|review|decide))\b",
    re.I,
)
_OWN_REQUEST = re.compile(
    r"\b(i|we) (have|had|filed|sent|submitted|made|asked|lodged|opened)\b|\bmy (\w+ )?(request|ticket|case)s?\b", re.I
)
_STATUS_CUE = re.compile(
    r"\b(status|update|progress|news|yet|still|already|happening|happened|heard|hear back|follow(ing)? up|track"
    r"|resolved|done|closed|open|pending|waiting|where is|where's|go through|gone through|went through|recorded"
    r"|received|processed|handled|completed|finished|tickets?|requests)\b",
    re.I,
)
_CORRECTION_FIELDS = {
    "full name": "name",
    "name": "name",
    "email": "email",
    "email address": "email",
    "company": "company",
    "grounds": "grounds",
    "reason": "grounds",
    "description": "description",
    "topic": "description",
}


class Understanding:
    """Lazy analysis of one message; `warm()` runs the costly parts before any lock is taken.

    `previous` is the last question of the conversation, against which a follow-up ("and for
    cookies?") is read. A message in another supported language is read through its glossary.
    """

    def __init__(
        self, text: str, classifier: IntentClassifier, answerer: Answerer, *, previous: str | None = None
    ) -> None:
        self.text = text
        self._classifier = classifier
        self._answerer = answerer
        self.previous = previous

    def warm(self, pending: str | None = None) -> None:
        """Embed, classify and (for likely questions) retrieve, outside the database transaction.

        `pending` is the kind of answer the conversation waits for: a plain answer to a text field
        or a button click needs no analysis (the turn computes it lazily if it turns out to).
        """
        if not self.text or _LOOKS_LIKE_VALUE.match(self.text) or pending == "action":
            return
        # A yes/no or a few words for a button are parsed without the model.
        short_answer = pending in ("text", "email", "code") or len(self.text.split()) <= 3
        if pending and not self.text.endswith("?") and short_answer:
            return
        if self.prediction.intent in ("question", "out_of_scope") or self.text.endswith("?"):
            _ = self.answer

    @cached_property
    def language(self) -> str:
        """'en', or the supported language the message is written in."""
        return language.detect(self.text) if self.text else "en"

    @cached_property
    def english(self) -> str:
        """The message as the models read it: itself, or its known words in English ('' if none)."""
        return self.text if self.language == "en" else language.gloss(self.text, self.language)

    @cached_property
    def normalised(self) -> str:
        """The English reading with shorthand spelt out and misspelt key words corrected, for the cues."""
        return self._classifier.speller.normalise(self.english or self.text)

    @cached_property
    def leans(self) -> bool:
        """A follow-up that needs the previous question to be understood ("and for cookies?")."""
        return bool(self.previous) and self.language == "en" and followup.leans_on_previous(self.text)

    @cached_property
    def prediction(self) -> Prediction:
        if self.leans and self.previous:  # "how do I do it?" after a question is a question too
            return self._classifier.classify(followup.combined(self.text, self.previous))
        return self._classifier.classify(self.english or self.text)

    @cached_property
    def _searched(self) -> tuple[Any, Any]:
        """Retrieval and verdict for the message, or for it read with the previous question when it
        leans on it and that reading is the one the decision trusts more."""
        alone = self._answerer.verdict(self.english or self.text)
        if not self.leans or not self.previous:
            focus = followup.core(self.text) if self.language == "en" else None
            if focus and alone[1].outcome != "answered":
                focused = self._answerer.verdict(focus)
                if focused[1].outcome == "answered":
                    return focused
            return alone
        # The earlier question's frame ("and for cookies?"), then all of it: a follow-up may ask
        # about another side of the same topic ("any downside?" after "can I disable cookies?").
        framed = followup.combined(self.text, self.previous)
        joined = self._answerer.verdict(framed)
        if joined[1].outcome == "answered":
            return joined
        full = followup.whole(self.text, self.previous)
        if full != framed:
            taken = self._answerer.verdict(full)
            if taken[1].outcome == "answered":
                return taken
        return alone if alone[1].outcome == "answered" else joined

    @cached_property
    def answer(self) -> Answer:
        return self._answerer.answer(self.english or self.text, language=self.language, searched=self._searched)

    @property
    def understood(self) -> bool:
        """False for a message in another language none of whose words the glossary knows."""
        return bool(self.english)

    @cached_property
    def intent(self) -> str:
        """What the message is, for routing: the classifier's intent, except that
        - an unsure 'off-topic' or 'greeting' the statement confidently answers is a question;
        - a 'question' the decision declines is off-topic;
        - a request is only a request when the message asks for it (else: answer and offer)."""
        prediction = self.prediction
        intent = prediction.intent
        if intent == "greeting":
            return "question" if prediction.confidence < UNSURE and self.answer.answered else intent
        if intent == "out_of_scope":
            # The decision weighs the classifier's view with the statement's evidence; only a rule
            # (an injection, confidence 1.0) is final.
            return "question" if prediction.confidence < 1.0 and self.answer.outcome != "declined" else intent
        if intent == "question":
            return "out_of_scope" if self.answer.outcome == "declined" else intent
        if intent in REQUEST_TYPES and not self.asks_for_request:
            return "question"
        if intent in REQUEST_TYPES and self._request_is_a_toss_up:  # unsure: answer (or decline) and offer
            return "out_of_scope" if self.answer.outcome == "declined" else "question"
        if intent == "ticket_status" and not self.reference and not self._asks_about_own_request:
            return "out_of_scope" if self.answer.outcome == "declined" else "question"
        if intent == "cancel" and not self.reference and self._asks_about_requests:
            return "out_of_scope" if self.answer.outcome == "declined" else "question"
        return intent

    @property
    def _asks_about_requests(self) -> bool:
        """A question about how cancelling works ("can a request be withdrawn once it is sent?",
        "is an objection permanent?"), not a cancellation of one's own request."""
        text = self.normalised
        if _OWN_REQUEST.search(text) and not _ASKS_ABOUT.match(text):
            return False
        if _ASKS_ABOUT.match(text) and _GENERIC_REQUEST.search(text):
            return True
        return "?" in text and bool(_WONDERS.search(text))

    @property
    def _asks_about_own_request(self) -> bool:
        """A status question names one's own request or asks how it stands ("any news?"); one about
        requests in general ("can a request be cancelled?") or about the data ("is my data purged
        after a while") is a question."""
        text = self.normalised
        if _SUPPOSES.search(text):
            return False
        if _OWN_REQUEST.search(text) and not text.lower().startswith(("how will", "how would", "how do")):
            return True
        return not _GENERIC_REQUEST.search(text) and bool(_STATUS_CUE.search(text))

    @property
    def _request_is_a_toss_up(self) -> bool:
        scores = self.prediction.scores
        return scores.get(self.prediction.intent, 0.0) - scores.get("question", 0.0) < TOSS_UP

    @property
    def asks_for_request(self) -> bool:
        """Whether the message asks for the request itself rather than about it."""
        text, prediction = self.normalised, self.prediction
        # "can I speak to a person?" asks for one, whatever it wants to have explained.
        if prediction.intent == "handoff" and _PERSON.search(text) and not _ASKS_WHO.match(text):
            return prediction.confidence >= 0.5
        if _WONDERS.search(text):
            # "I'd like to know what you hold on me - please send it over" asks for it all the same.
            return bool(_IMPERATIVE.search(text) or _THEN_IMPERATIVE.search(text))
        if _POLITE.search(text):  # "can I have a copy of my data, please?" asks for it
            return True
        if _THEN_IMPERATIVE.search(text):
            return True
        if _ASKS_ABOUT.match(text):
            return False
        if _ASKS_FOR.search(text):
            return True
        if _ASKS_HOW.search(text):
            return False
        if _IMPERATIVE.search(text) or _STATES_WISH.search(text):
            return True
        return not text.rstrip().endswith("?") and prediction.confidence >= START_AT

    @property
    def offers(self) -> tuple[str, ...]:
        """Requests worth offering with an answer: those its passages concern (for "does not say",
        the rights of Section 7 nearest to it), then those the classifier sees in the message (a
        question about a right offers that right's request, even as a faint second reading)."""
        scores, answer = self.prediction.scores, self.answer
        seen = set(answer.related_requests)
        if answer.outcome == "not_stated":
            seen |= {r for pid in answer.passage_ids if pid.startswith("s7-") for r in RELATED_REQUESTS.get(pid, ())}
        floor = OFFER_FLOOR if self.prediction.intent == "question" else 3 * OFFER_FLOOR
        seen |= {t for t in REQUEST_TYPES if scores.get(t, 0.0) >= floor}
        return tuple(sorted(seen, key=lambda t: -scores.get(t, 0.0)))

    @property
    def affirmative(self) -> bool:
        return bool(_AFFIRMATIVE.match(self.text))

    @property
    def negative(self) -> bool:
        return bool(_NEGATIVE.match(self.text))

    @property
    def cancel(self) -> bool:
        return bool(_CANCEL.match(self.text))

    @property
    def back(self) -> bool:
        return bool(_BACK.match(self.text))

    @property
    def resend(self) -> bool:
        return bool(_RESEND.search(self.text))

    @property
    def reference(self) -> str | None:
        return find_reference(self.text)

    @property
    def correction(self) -> tuple[str, str] | None:
        """('email', 'new@x.com') for "actually my email is new@x.com"."""
        match = _CORRECTION.match(self.text)
        if not match:
            return None
        field = _CORRECTION_FIELDS.get(match.group("field").lower().replace("-", ""))
        return (field, match.group("value").strip().rstrip(".")) if field else None

    @property
    def asks_question(self) -> bool:
        """A question the statement can answer, asked in the middle of something else."""
        if not self.text or _LOOKS_LIKE_VALUE.match(self.text):
            return False
        if not (self.text.endswith("?") or self.prediction.intent == "question"):
            return False
        return self.answer.answered
