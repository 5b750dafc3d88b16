"""Cases: data-subject requests as tickets. `tickets` creates them (unique references, legal due
dates, audit events); `lifecycle` says which action is allowed when and who hears of it;
`casework` is one ticket's case file and the agents' actions on it; `messages` carries questions
to the requester and their answers back; `exports` answers access and portability requests with a
file behind a requester-only link; `reminders` and `scheduler` keep the deadlines (one runner
across processes); `reports` measures the team; `queue` lists, filters and exports tickets;
`purge` applies the retention policy. The words of casework's notices are in `notices`, the
requester e-mails' templates in `emails` (templates/mail/), the case file in words in `readable`.
"""

from bot.cases.casework import CaseFile, add_note, load_case, perform_action
from bot.cases.exports import complete_with_export, open_link, revoke_export
from bot.cases.lifecycle import ActionRequest, apply_action
from bot.cases.messages import attach_answer, write_to_requester
from bot.cases.purge import RetentionPolicy, purge
from bot.cases.queue import QueueFilter, list_tickets
from bot.cases.reports import ReportFilter, build_report
from bot.cases.scheduler import Scheduler
from bot.cases.tickets import create_ticket, get_ticket, requester_tickets

__all__ = [
    "ActionRequest",
    "CaseFile",
    "QueueFilter",
    "ReportFilter",
    "RetentionPolicy",
    "Scheduler",
    "add_note",
    "apply_action",
    "attach_answer",
    "build_report",
    "complete_with_export",
    "create_ticket",
    "get_ticket",
    "list_tickets",
    "load_case",
    "open_link",
    "perform_action",
    "purge",
    "requester_tickets",
    "revoke_export",
    "write_to_requester",
]
