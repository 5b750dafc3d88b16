"""The console's routes in one router: pages (/console) and the agent JSON API (/api/agent)."""

from __future__ import annotations

from fastapi import APIRouter

from handlers.console import admin_pages, api, knowledge_pages, pages, report_pages, ticket_pages

router = APIRouter()
# Export uploads (handlers.console.uploads) are included by app.py with their own body limit.
for part in (pages, ticket_pages, report_pages, knowledge_pages, admin_pages, api):
    router.include_router(part.router)
