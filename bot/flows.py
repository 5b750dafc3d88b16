"""The request catalogue: every flow the bot can walk, as data, and the vocabulary derived from it.

A flow is data. The walker (`bot.conversation.dialog`) asks `FlowSpec.fields` in order (skipping
fields whose `when` does not hold), then the requester's name and company when the flow files a
ticket, then verifies who the requester is, then the fields that need a verified requester
(`after_identity`: they show the requester's own records), then asks for confirmation, and hands
the finished flow to its `completion` ("file" a ticket, show the requester's tickets, withdraw
one, or pass an answer on to the privacy team).

Everything else that names request types — `REQUEST_TYPES`, `TYPE_LABELS`, the start buttons, the
passages whose answers offer a request — is derived here, so adding a request type means adding
a spec here, nothing else.
"""

from __future__ import annotations

from typing import Any

from bot.errors import InvalidInput
from bot.flowspec import (
    CONFIRM,
    OTHER,
    REPLY_CONFIRM,
    SKIP,
    WITHDRAW_CONFIRM,
    Completion,
    FieldSpec,
    FlowSpec,
    choices_of,
)
from bot.types import Choice
from bot.validation import validate_email

__all__ = [
    "CONFIRM",
    "OTHER",
    "REPLY_CONFIRM",
    "WITHDRAW_CONFIRM",
    "Completion",
    "FieldSpec",
    "FlowSpec",
]  # re-exported: the catalogue's vocabulary


def _scope(question: str, label: str) -> tuple[FieldSpec, FieldSpec]:
    """All data or only some, and which (access and portability ask the same two things)."""
    everything = choices_of(("everything", "All my personal data"), ("specific", "Only specific data"))
    return (
        FieldSpec("scope", "choice", question, label, everything),
        FieldSpec("scope_detail", "text", question, f"{label} (details)", min_chars=3, when=("scope", "specific")),
    )


def _catalogue(*specs: FlowSpec) -> dict[str, FlowSpec]:
    """The flows by type; a type written twice is a mistake, not an override."""
    flows = {spec.type: spec for spec in specs}
    if len(flows) != len(specs):
        twice = sorted({s.type for s in specs if sum(o.type == s.type for o in specs) > 1})
        raise ValueError(f"flow types defined twice: {', '.join(twice)}")
    return flows


FLOWS: dict[str, FlowSpec] = _catalogue(
    FlowSpec(
        type="deletion",
        label="Deletion (erasure)",
        start_label="Delete my data",
        related_passages=("s3-p13", "s7-p00", "s7-p02"),
        title="a deletion (erasure) request",
        intro="I can file a request to have your personal data deleted.",
        consequence_passage="s3-p13",
        fields=(
            FieldSpec(
                "scope",
                "choice",
                "What should be deleted?",
                "What to delete",
                choices_of(("everything", "My account and all my personal data"), ("specific", "Only specific data")),
            ),
            FieldSpec(
                "scope_detail",
                "text",
                "Which data should be deleted?",
                "Data to delete",
                min_chars=3,
                when=("scope", "specific"),
            ),
        ),
    ),
    FlowSpec(
        type="objection",
        label="Objection to processing",
        start_label="Object to processing",
        related_passages=("s7-p00", "s7-p01"),
        title="an objection to processing",
        intro=(
            "I can file an objection to the processing of your personal data. The statement lets you "
            "object on a specific and identified individual circumstance, so I'll ask what that is."
        ),
        fields=(
            FieldSpec(
                "processing",
                "choice",
                "Which processing do you object to?",
                "Processing objected to",
                choices_of(
                    ("usage_analytics", "Analysis of how I use the portal"),
                    ("crm_sharing", "Sharing with KONE's other CRM tools"),
                    ("screening", "Screening and know-your-customer checks"),
                    ("customer_contact", "Customer contact and surveys"),
                    (OTHER, "Something else"),
                ),
            ),
            FieldSpec(
                "processing_detail",
                "text",
                "Which processing do you mean?",
                "Processing (details)",
                min_chars=3,
                when=("processing", OTHER),
            ),
            FieldSpec(
                "grounds",
                "text",
                "What is your specific personal circumstance that makes you object? A sentence or two is enough.",
                "Grounds",
                min_chars=15,
            ),
        ),
    ),
    FlowSpec(
        type="marketing_objection",
        label="Objection to direct marketing",
        start_label="Stop direct marketing",
        related_passages=("s7-p03", "s3-p07"),
        title="an objection to direct marketing",
        intro="I can file your objection to direct marketing, so KONE stops using your data to market to you.",
        fields=(
            FieldSpec(
                "channels",
                "choice",
                "Which marketing should stop?",
                "Marketing to stop",
                choices_of(
                    ("all", "All direct marketing"),
                    ("email", "Marketing e-mails"),
                    ("phone", "Phone calls and text messages"),
                    ("surveys", "Surveys"),
                ),
            ),
        ),
    ),
    FlowSpec(
        type="consent_revocation",
        label="Withdrawal of consent",
        start_label="Withdraw a consent",
        related_passages=("s7-p05", "s7-p06", "s5-p06", "s5-p07"),
        title="a withdrawal of consent",
        intro="I can file the withdrawal of a consent you have given.",
        consequence_passage="s7-p06",
        fields=(
            FieldSpec(
                "consent",
                "choice",
                "Which consent do you want to withdraw?",
                "Consent withdrawn",
                choices_of(
                    ("analytics_cookies", "Analytics cookies"),
                    ("targeting_cookies", "Targeting cookies"),
                    ("marketing_communications", "Marketing communications"),
                    (OTHER, "Another consent"),
                ),
            ),
            FieldSpec(
                "consent_detail",
                "text",
                "Which consent do you mean?",
                "Consent (details)",
                min_chars=3,
                when=("consent", OTHER),
            ),
        ),
    ),
    FlowSpec(
        type="rectification",
        label="Correction (rectification)",
        start_label="Correct my data",
        related_passages=("s7-p00", "s7-p02"),
        title="a correction (rectification) request",
        intro="I can file a request to correct your personal data.",
        fields=(
            FieldSpec(
                "item",
                "choice",
                "What needs correcting?",
                "Data to correct",
                choices_of(
                    ("name", "Name"),
                    ("title", "Title"),
                    ("email", "E-mail address"),
                    ("phone", "Mobile phone number"),
                    ("address", "Address"),
                    (OTHER, "Something else"),
                ),
            ),
            FieldSpec("current_value", "text", "What is wrong at the moment?", "What is wrong", min_chars=2),
            FieldSpec(
                "correct_value",
                "text",
                "What should it say instead?",
                "Correct value",
                min_chars=1,
                email_if=("item", "email"),
                said_as=(
                    r"\b(?:it\s+)?(?:should|must|ought to)\s+(?:be|read|say)\s*:?\s+(.{1,200}?)\s*(?:[.!]\s|[.!]?$)"
                    r"|\b(?:the\s+)?(?:correct|right|new)\s+(?:one|value|number|address|name|title)\s+is\s*:?\s+"
                    r"(.{1,200}?)\s*(?:[.!]\s|[.!]?$)"
                ),
            ),
        ),
    ),
    # Access and portability: the statement does not list these rights by name, so the intro says
    # so and that the privacy team handles the request under the law that applies (DESIGN §10).
    FlowSpec(
        type="access",
        label="Access (copy of my data)",
        start_label="Get a copy of my data",
        title="a request for a copy of your personal data (access)",
        intro=(
            "I can file a request for a copy of the personal data KONE holds about you. The privacy "
            "statement does not list this right by name, but the privacy team will handle your request "
            "under the data protection law that applies to you."
        ),
        next_steps=("The privacy team will prepare your copy and send you a download link that only you can use."),
        fields=(*_scope("Which data would you like a copy of?", "Data requested"),),
    ),
    FlowSpec(
        type="portability",
        label="Portability (machine-readable copy)",
        start_label="Export my data",
        title="a data portability request (a machine-readable copy)",
        intro=(
            "I can file a request for your personal data in a machine-readable format. The privacy "
            "statement does not list this right by name, but the privacy team will handle your request "
            "under the data protection law that applies to you."
        ),
        next_steps=("The privacy team will prepare the export and send you a download link that only you can use."),
        fields=(
            *_scope("Which data should be exported?", "Data to export"),
            FieldSpec(
                "format",
                "choice",
                "Which format would suit you?",
                "Format",
                choices_of(("csv", "CSV (spreadsheet)"), ("json", "JSON")),
            ),
        ),
    ),
    FlowSpec(
        type="handoff",
        label="Talk to a person",
        start_label="Talk to a person",
        related_passages=("s1-p01", "s1-p02", "s6-p01"),
        title="a request to talk to a person",
        intro="I'll pass you to a person on the privacy team.",
        next_steps="A member of the privacy team will contact you.",
        fields=(FieldSpec("description", "text", "Briefly, what would you like to discuss?", "Topic", min_chars=5),),
    ),
    # Not requests: the requester's own tickets, and withdrawing one of them.
    FlowSpec(
        type="status",
        title="a look-up of your requests",
        intent="ticket_status",
        completion="status",
        intro="",  # verified: the requests themselves are the reply
        intro_unverified="I'll look up your requests once I've confirmed who you are.",
        fields=(),
    ),
    FlowSpec(
        type="withdraw",
        title="the withdrawal of a request",
        intent="cancel",
        completion="withdraw",
        intro="",
        fields=(
            FieldSpec(
                "reference",
                "text",
                "Which request should I withdraw? Please type its reference (like PRV-AB12-CD34).",
                "Reference",
                reference=True,
            ),
        ),
    ),
    # An answer to the privacy team's question on one of the requester's own tickets.
    FlowSpec(
        type="reply",
        title="an answer to the privacy team",
        intent="ticket_status",
        completion="reply",
        intro="",
        fields=(
            FieldSpec(
                "reference",
                "text",
                "Which request are you answering? Please type its reference (like PRV-AB12-CD34).",
                "Reference",
                reference=True,
            ),
            FieldSpec(
                "message",
                "text",
                "What is your answer? I'll add it to your request and let the privacy team know.",
                "Answer",
                max_chars=2000,
                after_identity=True,
                verbatim=True,
            ),
        ),
    ),
)

# Identity fields every request collects after its own fields (skipped when already known).
NAME = FieldSpec("name", "text", "What is your full name?", "Name", min_chars=2, max_chars=200)
COMPANY = FieldSpec(
    "company",
    "text",
    "Which company do you represent? You can skip this if you'd rather not say.",
    "Company",
    (SKIP,),
    optional=True,
    max_chars=200,
)
EMAIL = FieldSpec(
    "email", "email", "What is your e-mail address? I'll send a 6-digit code to confirm it's you.", "E-mail"
)
CODE = FieldSpec("code", "code", "Please type the 6-digit code I sent to {email}.", "Code")
IDENTITY_FIELDS = {f.name: f for f in (NAME, COMPANY, EMAIL, CODE)}

# The vocabulary of requests, derived from the specs above.
REQUEST_FLOWS: dict[str, FlowSpec] = {t: spec for t, spec in FLOWS.items() if spec.files_ticket}
REQUEST_TYPES: tuple[str, ...] = tuple(REQUEST_FLOWS)
TYPE_LABELS: dict[str, str] = {t: spec.label for t, spec in REQUEST_FLOWS.items()}
START_LABELS: dict[str, str] = {t: spec.start_label for t, spec in REQUEST_FLOWS.items()}


def _related() -> dict[str, tuple[str, ...]]:
    related: dict[str, list[str]] = {}
    for spec in REQUEST_FLOWS.values():
        for passage in spec.related_passages:
            related.setdefault(passage, []).append(spec.type)
    return {passage: tuple(types) for passage, types in related.items()}


# Passages whose answers concern a right → the requests worth offering with them.
RELATED_REQUESTS: dict[str, tuple[str, ...]] = _related()


def start_choices(types: tuple[str, ...] | list[str] | None = None) -> tuple[Choice, ...]:
    """Buttons that start requests (ids 'start:<type>')."""
    return tuple(Choice(f"start:{t}", START_LABELS[t]) for t in (types or START_LABELS))


def parse_field(spec: FieldSpec, raw: str, values: dict[str, Any], action: str | None = None) -> str:
    """Validate one answer (module-level so the walker needs no spec internals)."""
    if spec.kind == "email":
        return validate_email(raw)
    if not raw.strip() and not action:
        raise InvalidInput("Please type an answer, or say 'cancel' to stop.")
    return spec.parse(raw, values, action)
