"""Storage: the database, its tables, and what is kept in it for other layers.

`Database` opens every session; `models` are the SQLModel tables; `outbox` queues notifications
in the same transaction as the change they announce and delivers them through `Sender`s
(`mail` has the SMTP and log transports); `conversations` keeps chat state and transcripts;
`dedupe` keeps handle-once keys for inbound deliveries.
"""

from bot.store.db import Database
from bot.store.mail import LogMailer, SmtpMailer
from bot.store.models import utcnow
from bot.store.outbox import OutboxWorker, PermanentFailure, Sender, enqueue, notify_requester

__all__ = [
    "Database",
    "LogMailer",
    "OutboxWorker",
    "PermanentFailure",
    "Sender",
    "SmtpMailer",
    "enqueue",
    "notify_requester",
    "utcnow",
]
