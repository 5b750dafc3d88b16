"""Cases: data-subject requests as tickets. `tickets` creates them (unique references, legal due
dates, audit events); `lifecycle` says which action is allowed when and who hears of it;
`casework` is one ticket's case file and the agents' actions on it; `queue` lists, filters and
exports tickets; `purge` applies the retention policy.
"""

from bot.cases.casework import CaseFile, add_note, load_case, perform_action
from bot.cases.lifecycle import ActionRequest, apply_action
from bot.cases.purge import RetentionPolicy, purge
from bot.cases.queue import QueueFilter, list_tickets
from bot.cases.tickets import create_ticket, get_ticket, requester_tickets

__all__ = [
    "ActionRequest",
    "CaseFile",
    "QueueFilter",
    "RetentionPolicy",
    "add_note",
    "apply_action",
    "create_ticket",
    "get_ticket",
    "list_tickets",
    "load_case",
    "perform_action",
    "purge",
    "requester_tickets",
]
