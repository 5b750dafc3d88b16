"""`privacy-bot chat` as a person uses it: a real subprocess talked to line by line, plus the
rendering it uses (wrapping, ticket lines, the e-mail notice) checked directly."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.store.models import OutboxMessage
from bot.types import Choice, Expecting, Reply, TicketSummary
from handlers.terminal import notice, render, wrap

BIN = Path(sys.executable).parent / "privacy-bot"
COLUMNS = 60
LOG_LINE = re.compile(r"\b(INFO|WARNING|ERROR|DEBUG) [\w.]+ \[")  # the text log format


def test_wrap_breaks_between_words_and_keeps_quotes_and_items_indented() -> None:
    text = (
        "The personal data will be stored as long as needed for the purposes it has been collected for.\n"
        "> A quotation that goes on for quite a while so that it has to wrap onto another line.\n"
        "• a list item that is also long enough that it needs a second line in the terminal\n"
        "https://www.kone.com/en/contact.aspx/an-address-that-is-longer-than-any-line-could-be"
    )
    lines = wrap(text, 40)
    assert all(len(line) <= 40 for line in lines if " " in line.strip())
    assert "https://www.kone.com/en/contact.aspx/an-address-that-is-longer-than-any-line-could-be" in lines
    quoted = [line for line in lines if line.startswith("> ")]
    assert len(quoted) >= 2  # every line of the quotation is marked as quoted
    item = lines.index(next(line for line in lines if line.startswith("• ")))
    assert lines[item + 1].startswith("  ") and not lines[item + 1].startswith("  •")
    assert " ".join(w for line in lines for w in line.replace("> ", " ").replace("• ", " ").split()) == " ".join(
        text.replace("> ", " ").replace("• ", " ").split()
    )  # nothing lost, no word cut


def test_a_reply_renders_its_ticket_and_numbered_options() -> None:
    ticket = TicketSummary(
        "PRV-AB12-CD34", "deletion", "rejected", "2026-04-10", "Deletion (erasure)", "rejected",
        outcome="We are unable to fulfil your request because the request is excessive.", closed_on="2026-03-12",
    )  # fmt: skip
    reply = Reply("s", "Here is your request:", "ticket_status", ticket=ticket)
    shown = render(reply, COLUMNS)
    assert "Reference  PRV-AB12-CD34" in shown and "Status     Rejected" in shown
    assert "Closed     12 March 2026" in shown
    assert "Outcome    We are unable" in shown and "Due by" not in shown
    options = Reply("s", "Which?", "deletion", expecting=Expecting("scope", "choice", "Which?", (Choice("a", "All"),)))
    assert "1. All" in render(options, COLUMNS)


def test_an_email_is_shown_as_a_framed_notice() -> None:
    message = OutboxMessage(
        channel="email", kind="verification_code", recipient="pat@example.com", subject="Your code",
        body="Your verification code is 123456.", status="pending", created_at=datetime(2026, 3, 10),
        next_attempt_at=datetime(2026, 3, 10),
    )  # fmt: skip
    shown = notice(message, COLUMNS)
    assert shown.splitlines()[0].startswith("  ┌ E-mail to pat@example.com")
    assert "  │ Your verification code is 123456." in shown and shown.endswith("  └")


class Terminal:
    """`privacy-bot chat` in a subprocess, answered prompt by prompt."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [str(BIN), "chat"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=0,
        )
        self.chunks: queue.Queue[str] = queue.Queue()
        self.output = ""
        assert self.process.stdout is not None
        threading.Thread(target=self._pump, args=(self.process.stdout,), daemon=True).start()

    def _pump(self, stream: Any) -> None:
        while char := stream.read(1):
            self.chunks.put(char)

    def until_prompt(self, timeout: float = 180) -> str:
        """Everything printed up to the next "you> " prompt."""
        start = len(self.output)
        while len(self.output) == start or not self.output.endswith("you> "):
            self.output += self.chunks.get(timeout=timeout)
        return self.output[start:]

    def say(self, line: str) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return self.until_prompt()

    def close(self) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write("quit\n")
        self.process.stdin.flush()
        _, err = self.process.communicate(timeout=60)
        return str(err)


@pytest.mark.slow
def test_chat_in_a_terminal_reads_well(tmp_path: Path, shared_dirs: dict[str, Path], knowledge: Any) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "SMTP_", "LLM_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite",
        CHROMA_PATH=str(shared_dirs["chroma"]),
        CACHE_DIR=str(shared_dirs["cache"]),
        HF_HUB_OFFLINE="1",
        PYTHONUNBUFFERED="1",
        COLUMNS=str(COLUMNS),
        LOG_LEVEL="INFO",  # plenty to log: none of it may reach the screen
    )
    term = Terminal(tmp_path, env)
    try:
        term.until_prompt()
        both = term.say("can you forget me? also who is responsible for my data?")
        assert "who is responsible for my data?" in both and "Section 1" in both, both
        term.say("cancel")  # in case the first part started a deletion request
        term.say("I want to talk to a person")
        term.say("About my company's account admin.")
        term.say("Pat Example")
        assert "1. Skip" in term.output.rsplit("bot>", 1)[1]
        term.say("1")  # the Skip option
        sent = term.say("pat@example.com")
        assert "┌ E-mail to pat@example.com" in sent and sent.index("┌") < sent.index("bot>"), sent
        code = re.search(r"verification code is (\d{6})", sent)
        assert code, sent
        assert "Shall I file this request?" in term.say(code.group(1))
        filed = term.say("yes")
        assert re.search(r"Reference\s+PRV-\w{4}-\w{4}", filed), filed
    finally:
        stderr = term.close()
    for line in term.output.splitlines():
        assert len(line) <= COLUMNS or " " not in line.strip(), line  # wrapped between words
        assert not LOG_LINE.search(line), line
    assert "e-mail not sent" not in term.output and "e-mail not sent" not in stderr
    assert not LOG_LINE.search(stderr), stderr  # no log line over the prompt, on either stream
    assert (tmp_path / "data" / "chat.log").is_file()


def test_the_terminal_s_own_commands_run_instead_of_a_turn() -> None:
    from handlers.terminal import run_chat

    said = iter(["/good", "1", "quit"])
    shown: list[str] = []
    ran: list[str] = []
    turns: list[Any] = []

    class Engine:
        def handle(self, inbound: Any) -> Reply:
            turns.append(inbound)
            return Reply("s", "Thanks.", "greeting")

    class Services:
        engine = Engine()

    def good() -> list[Any]:
        ran.append("/good")
        return [Choice("handoff", "Talk to a person")]

    run_chat(Services(), "s", read=lambda _: next(said), write=shown.append, commands={"/good": good}, banner="Hi")
    assert ran == ["/good"] and shown[0] == "Hi\n"
    assert [t.action for t in turns] == ["handoff"]  # "1" picked the option the command offered
