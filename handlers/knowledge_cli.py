"""`privacy-bot knowledge export|import`: what was taught in the console, as YAML in the format of
`knowledge/hints.yaml`, so the team can fold it back into the repository (or move it elsewhere)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from handlers.console.cli import open_database


def cmd_export(args: argparse.Namespace) -> int:
    """Write the active taught hints and not-covered topics to FILE (or stdout)."""
    from bot.teaching.lessons import export_yaml

    db = open_database(args)
    try:
        with db.read() as session:
            text = export_yaml(session)
    finally:
        db.dispose()
    if args.file and args.file != "-":
        Path(args.file).write_text(text, encoding="utf-8")
        print(f"Wrote the taught knowledge to {args.file}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Teach what FILE holds (already taught items are skipped); running servers pick it up."""
    from bot.errors import HelpdeskError
    from bot.store.models import utcnow
    from bot.teaching.lessons import import_taught, parse_taught
    from knowledge.statement import load_statement

    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except OSError as exc:
        print(f"privacy-bot: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    statement = load_statement()
    db = open_database(args)
    try:
        parsed = parse_taught(text, passage_exists=statement.has_passage)
        with db.write() as session:
            added = import_taught(session, parsed, actor="cli", now=utcnow())
    except HelpdeskError as exc:
        print(f"privacy-bot: {exc.message}", file=sys.stderr)
        return 1
    finally:
        db.dispose()
    print(f"Imported {added} taught item{'s' if added != 1 else ''}; running servers use them within seconds.")
    return 0


def add_command(sub: Any) -> None:
    """Add the `knowledge` command group to the CLI's subparsers."""
    knowledge = sub.add_parser("knowledge", help="taught hints and not-covered topics (knowledge export, import)")
    commands = knowledge.add_subparsers(dest="knowledge_command", required=True, metavar="SUBCOMMAND")
    export = commands.add_parser("export", help="write what was taught as YAML (the format of knowledge/hints.yaml)")
    export.add_argument("file", nargs="?", metavar="FILE", help="where to write (default: standard output)")
    export.set_defaults(func=cmd_export)
    load = commands.add_parser("import", help="teach what a YAML file of that format holds")
    load.add_argument("file", metavar="FILE")
    load.set_defaults(func=cmd_import)
