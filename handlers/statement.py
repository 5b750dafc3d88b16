"""GET /statement: the privacy statement as a readable page of its own (DESIGN §10).

Citations link here (`Citation.url`, `/statement#section-<n>`), so the page shows exactly the text
the bot quotes — the parsed `Statement` the answers come from — with its version, one anchor per
section. Every piece of the statement's text is escaped; only http(s) addresses become links.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from html import escape

from fastapi import APIRouter, Request, Response

from bot.types import STATEMENT_PAGE, section_anchor
from handlers.deps import ServicesDep
from knowledge.statement import Statement

router = APIRouter(include_in_schema=False)

HTML_TYPE = "text/html; charset=utf-8"
_URL = re.compile(r"\bhttps?://[^\s<>\"']+|\bwww\.[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s<>\"']*", re.IGNORECASE)
_TRAIL = re.compile(r"[.,;:!?)\]'\"’”]+$")
STYLE = """
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#141a24;background:#f3f5f8}
main{max-width:760px;margin:0 auto;padding:32px 20px 64px;background:#fff;min-height:100vh}
h1{font-size:28px;line-height:1.25;margin:0 0 4px}
.subtitle{margin:0 0 4px;font-size:18px;color:#2b3240}
.version{margin:0 0 24px;color:#4a5262;font-size:14px}
h2{font-size:20px;line-height:1.3;margin:32px 0 8px;scroll-margin-top:16px}
section{margin:0 -12px;padding:1px 12px}
section:target{background:#fff8dc;outline:3px solid #f0d3a4;border-radius:6px}
a{color:#1141c9}
a:focus-visible{outline:3px solid #1141c9;outline-offset:2px}
nav ol{padding-left:20px}
ul{padding-left:22px}
li+li{margin-top:4px}
"""


def _link(text: str) -> str:
    """Escaped text with its http(s) addresses as links."""
    out: list[str] = []
    last = 0
    for match in _URL.finditer(text):
        raw = _TRAIL.sub("", match.group(0))
        href = raw if raw.lower().startswith("http") else f"https://{raw}"
        out.append(escape(text[last : match.start()]))
        out.append(f'<a href="{escape(href)}" rel="noopener noreferrer">{escape(raw)}</a>')
        last = match.start() + len(raw)
    out.append(escape(text[last:]))
    return "".join(out)


def _blocks(text: str) -> str:
    """A section's Markdown body: paragraphs, "- " lists, and short-line blocks (an address) kept as lines."""
    html: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.rstrip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = "".join(f"<li>{_link(line[2:].strip())}</li>" for line in lines)
            html.append(f"<ul>{items}</ul>")
        else:
            html.append("<p>" + "<br>".join(_link(line) for line in lines) + "</p>")
    return "\n".join(html)


@lru_cache(maxsize=4)
def render_statement(statement: Statement) -> tuple[bytes, str]:
    """The page and its Content-Security-Policy (the one inline style allowed by its hash)."""
    title, version, sections = escape(statement.title), escape(statement.version), statement.sections
    # The subtitle is quoted like any passage (it says which portals the statement covers).
    subtitle = "".join(f'<p class="subtitle">{_link(line)}</p>\n' for line in statement.subtitle)
    numbered = [sec for sec in sections if sec.number != "intro"]
    toc = "".join(f'<li><a href="#{section_anchor(sec.number)}">{escape(sec.label)}</a></li>' for sec in numbered)
    body = "\n".join(
        f'<section id="{section_anchor(sec.number)}" aria-labelledby="h-{section_anchor(sec.number)}">'
        f'<h2 id="h-{section_anchor(sec.number)}">{escape(sec.label)}</h2>\n{_blocks(sec.text)}</section>'
        for sec in sections
    )
    page = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title} (version {version})</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{title}</h1>\n{subtitle}"
        f'<p class="version">Version {version}</p>\n'
        f'<nav aria-label="Sections"><ol>{toc}</ol></nav>\n{body}\n</main>\n</body>\n</html>\n'
    )
    digest = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    csp = "; ".join(
        [
            "default-src 'none'",
            f"style-src 'sha256-{digest}'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    return page.encode("utf-8"), csp


@router.api_route(STATEMENT_PAGE, methods=["GET", "HEAD"])
async def statement_page(request: Request, services: ServicesDep) -> Response:
    """The statement the bot quotes, with its version and an anchor per section (`#section-4`)."""
    body, csp = render_statement(services.knowledge.statement)
    headers = {"Cache-Control": "public, max-age=300", "Content-Security-Policy": csp}
    return Response(body, media_type=HTML_TYPE, headers=headers)
