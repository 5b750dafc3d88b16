"""Admin pages: agent accounts (add, deactivate) and API tokens (issue, revoke)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from bot.access.agents import (
    ROLES,
    create_agent,
    deactivate_agent,
    get_agent,
    list_agents,
    set_digest,
    set_knowledge_permission,
)
from bot.access.sessions import issue_api_token, list_api_tokens, revoke_api_token
from bot.errors import InvalidInput, TransitionRefused
from handlers.console.auth import AdminDep, AdminFormDep, ConsoleUser
from handlers.console.render import NO_STORE, ConsolePageRoute, page
from handlers.deps import Services, ServicesDep

log = logging.getLogger(__name__)
router = APIRouter(route_class=ConsolePageRoute, include_in_schema=False)
DONE = {
    "added": "The agent has been added. Give them their password through a safe channel.",
    "deactivated": "The account is deactivated: its sessions ended and its API tokens were revoked.",
    "revoked": "The token is revoked; it stops working immediately.",
    "digest": "The daily digest setting is saved.",
    "knowledge": "The knowledge permission is saved.",
}


def _agents_page(
    request: Request,
    services: Services,
    user: ConsoleUser,
    *,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    with services.db.read() as session:
        agents = list_agents(session)
    done = DONE.get(request.query_params.get("done", "")) if status == 200 else None
    return page(
        request,
        "agents.html",
        status=status,
        user=user,
        section="agents",
        agents=agents,
        roles=ROLES,
        error=error,
        done=done,
        form=form or {},
    )


@router.get("/console/admin/agents")
def agents_page(request: Request, services: ServicesDep, user: AdminDep) -> Response:
    return _agents_page(request, services, user)


@router.post("/console/admin/agents")
def add_agent(
    request: Request,
    services: ServicesDep,
    user: AdminFormDep,
    email: Annotated[str, Form(max_length=320)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=8)] = "agent",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """Add an agent account with an initial password."""
    try:
        with services.db.write() as session:
            agent = create_agent(session, email=email, password=password, role=role, now=services.clock(), name=name)
            log.info("agent %s added with role %s by agent %s", agent.id, role, user.agent.id)
    except InvalidInput as exc:
        return _agents_page(
            request,
            services,
            user,
            status=exc.status,
            error=exc.message,
            form={"email": email, "name": name, "role": role},
        )
    return RedirectResponse("/console/admin/agents?done=added", status_code=303, headers=NO_STORE)


@router.post("/console/admin/agents/{agent_id}/deactivate")
def deactivate(agent_id: int, request: Request, services: ServicesDep, user: AdminFormDep) -> Response:
    """Deactivate an account (never your own, never the last admin)."""
    try:
        with services.db.write() as session:
            deactivate_agent(session, agent_id=agent_id, by=user.agent, now=services.clock())
    except (InvalidInput, TransitionRefused) as exc:
        return _agents_page(request, services, user, status=exc.status, error=exc.message)
    log.info("agent %s deactivated by agent %s", agent_id, user.agent.id)
    return RedirectResponse("/console/admin/agents?done=deactivated", status_code=303, headers=NO_STORE)


def _switch(
    request: Request,
    services: Services,
    user: ConsoleUser,
    *,
    agent_id: int,
    value: str,
    setter: Callable[..., Any],
    what: str,
    done: str,
) -> Response:
    """Turn one of an agent's settings on or off (the form posts "on" or "off")."""
    try:
        if value not in ("on", "off"):
            raise InvalidInput(f"Choose whether {what}.")
        with services.db.write() as session:
            setter(session, agent_id=agent_id, on=value == "on")
    except (InvalidInput, TransitionRefused) as exc:
        return _agents_page(request, services, user, status=exc.status, error=exc.message)
    log.info("%s %s for agent %s by agent %s", done, value, agent_id, user.agent.id)
    return RedirectResponse(f"/console/admin/agents?done={done}", status_code=303, headers=NO_STORE)


@router.post("/console/admin/agents/{agent_id}/digest")
def digest_setting(
    agent_id: int,
    request: Request,
    services: ServicesDep,
    user: AdminFormDep,
    digest: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Turn an admin's daily digest e-mail on or off."""
    return _switch(
        request,
        services,
        user,
        agent_id=agent_id,
        value=digest,
        setter=set_digest,
        what="the digest is sent",
        done="digest",
    )


@router.post("/console/admin/agents/{agent_id}/knowledge")
def knowledge_permission(
    agent_id: int,
    request: Request,
    services: ServicesDep,
    user: AdminFormDep,
    knowledge: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    """Give an agent the knowledge permission (teach the bot on the Knowledge page), or take it away."""
    return _switch(
        request,
        services,
        user,
        agent_id=agent_id,
        value=knowledge,
        setter=set_knowledge_permission,
        what="the agent may edit the knowledge",
        done="knowledge",
    )


def _tokens_page(
    request: Request,
    services: Services,
    user: ConsoleUser,
    *,
    status: int = 200,
    error: str | None = None,
    issued: tuple[str, str] | None = None,
) -> Response:
    with services.db.read() as session:
        tokens = list_api_tokens(session)
        agents = list_agents(session, active_only=True)
    done = DONE.get(request.query_params.get("done", "")) if status == 200 and not issued else None
    return page(
        request,
        "tokens.html",
        status=status,
        user=user,
        section="tokens",
        tokens=tokens,
        agents=agents,
        error=error,
        done=done,
        issued=issued,
    )


@router.get("/console/admin/tokens")
def tokens_page(request: Request, services: ServicesDep, user: AdminDep) -> Response:
    return _tokens_page(request, services, user)


@router.post("/console/admin/tokens")
def issue_token(
    request: Request, services: ServicesDep, user: AdminFormDep, agent_id: Annotated[int, Form()] = 0
) -> Response:
    """Issue a token; it is shown on this response only (never stored in plain, never redirected)."""
    try:
        with services.db.write() as session:
            agent = get_agent(session, agent_id)
            if agent is None:
                raise InvalidInput("Choose an active agent.")
            token, row = issue_api_token(session, agent, now=services.clock())
            email = agent.email
    except InvalidInput as exc:
        return _tokens_page(request, services, user, status=exc.status, error=exc.message)
    log.info("API token %s issued for agent %s by agent %s", row.id, agent_id, user.agent.id)
    return _tokens_page(request, services, user, issued=(email, token))


@router.post("/console/admin/tokens/{token_id}/revoke")
def revoke_token(token_id: int, request: Request, services: ServicesDep, user: AdminFormDep) -> Response:
    try:
        with services.db.write() as session:
            revoke_api_token(session, token_id=token_id, now=services.clock())
    except (InvalidInput, TransitionRefused) as exc:
        return _tokens_page(request, services, user, status=exc.status, error=exc.message)
    log.info("API token %s revoked by agent %s", token_id, user.agent.id)
    return RedirectResponse("/console/admin/tokens?done=revoked", status_code=303, headers=NO_STORE)
