"""`privacy-bot agent add|token`: console accounts and API tokens from the terminal."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

# Mirrors bot.access.agents.ROLES (create_agent checks again) so `privacy-bot --help` stays light.
ROLES = ("agent", "admin")


def open_database(args: argparse.Namespace) -> Any:
    """The database of the configured settings, migrated (a CLI command may be the first one run)."""
    from bot.store.db import Database

    settings = args.wiring.settings()
    settings.ensure_local_dirs()
    db = Database(settings.DATABASE_URL)
    db.migrate()  # idempotent: `agent add` may well be the first command a newcomer runs
    return db


def _read_password() -> str:
    """Prompted twice on a terminal; otherwise the first line of stdin (scripts, CI)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("Repeat the password: ") != first:
        sys.exit("privacy-bot: the passwords do not match; nothing was changed.")
    return first


def cmd_agent_add(args: argparse.Namespace) -> int:
    """Create a console account."""
    from bot.access.agents import create_agent
    from bot.errors import HelpdeskError
    from bot.store.models import utcnow

    password = _read_password()
    db = open_database(args)
    try:
        with db.write() as session:
            agent = create_agent(
                session, email=args.email, password=password, role=args.role, now=utcnow(), name=args.name
            )
            email, role = agent.email, agent.role
    except HelpdeskError as exc:
        print(f"privacy-bot: {exc.message}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"Added {role} {email}. Sign in at /console (e.g. http://127.0.0.1:8000/console).")
    return 0


def cmd_agent_token(args: argparse.Namespace) -> int:
    """Issue an API token; it is printed once, alone on the last line, and stored only hashed."""
    from bot.access.agents import get_agent_by_email
    from bot.access.sessions import issue_api_token
    from bot.store.models import utcnow

    db = open_database(args)
    try:
        with db.write() as session:
            agent = get_agent_by_email(session, args.email)
            if agent is None:
                print(f"privacy-bot: no active agent with e-mail {args.email.strip().lower()}.", file=sys.stderr)
                return 1
            token, _ = issue_api_token(session, agent, now=utcnow())
            email = agent.email
    finally:
        db.dispose()
    print(f"API token for {email} (shown once; send it as 'Authorization: Bearer <token>'):")
    print(token)
    return 0


def add_command(sub: Any) -> None:
    """Add the `agent` command group to the CLI's subparsers."""
    agent = sub.add_parser("agent", help="console accounts and API tokens (agent add, agent token)")
    commands = agent.add_subparsers(dest="agent_command", required=True, metavar="SUBCOMMAND")
    add = commands.add_parser("add", help="add a console account (password prompted, or read from stdin)")
    add.add_argument("email", metavar="EMAIL")
    add.add_argument(
        "--role", choices=ROLES, default="agent", help="agent works tickets; admin also manages agents and tokens"
    )
    add.add_argument("--name", help="display name (optional)")
    add.set_defaults(func=cmd_agent_add)
    token = commands.add_parser("token", help="issue an API token for an agent (printed once)")
    token.add_argument("email", metavar="EMAIL")
    token.set_defaults(func=cmd_agent_token)
