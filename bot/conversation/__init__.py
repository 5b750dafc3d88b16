"""Conversation: one turn in, one reply out. The `engine` takes a channel's `Inbound`, keeps the
conversation's state in the database and decides the `Reply`; the `dialog` walks a request flow
(ask, validate, verify, confirm) and hands a finished flow to what completes it.
"""

from bot.conversation.engine import Engine

__all__ = ["Engine"]
