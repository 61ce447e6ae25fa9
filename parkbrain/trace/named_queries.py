"""Named queries (EPCIS 2.0 ``/queries``): a SimpleEventQuery an enterprise saves under a name
and runs again through ``/queries/{name}/events``.

A definition is checked like a query string before it is saved, so a saved query always runs;
its extension prefixes (the body's @context, or the GS1-Extensions header) are kept with it.
A query belongs to the enterprise that made it and runs over that enterprise's events, as far
as the caller may see them.
"""

import re
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from parkbrain.registry.services import actor_fields

from . import query, services
from .hashing import namespaces
from .models import NamedQuery

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.~-]{0,99}")
#: Most named queries one enterprise keeps.
QUERIES_PER_ENTERPRISE = 200


class NamedQueryProblems(Exception):
    """A refused definition: the HTTP status and one problem per field."""

    def __init__(self, status: int, problems: list[dict[str, Any]]) -> None:
        super().__init__(problems)
        self.status = status
        self.problems = problems


def _problem(field: str, value: object, reason: str) -> dict[str, Any]:
    return {"index": None, "field": field, "value": str(value)[:200], "reason": reason}


def _values(name: str, value: Any) -> list[str] | None:
    """A definition's value as query-string values: a list of scalars, or one scalar."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, str | int | float):
            out.append(str(item))
        else:
            return None
    return out


def parameters(definition: Any) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The query parameters and extension prefixes of a definition's ``query`` object.

    Raises NamedQueryProblems (400) naming each unusable entry.
    """
    if not isinstance(definition, Mapping):
        raise NamedQueryProblems(400, [_problem("query", "", _("give the query as an object"))])
    problems = []
    params: dict[str, list[str]] = {}
    for name, value in definition.items():
        if name == "@context":
            continue
        if name in query.PAGING_PARAMETERS:
            reason = _("paging is chosen when the query runs, not when it is saved")
            problems.append(_problem(f"query.{name}", value, reason))
            continue
        values = _values(name, value)
        if values is None:
            reason = _("give a text, a number, true or false, or a list of them")
            problems.append(_problem(f"query.{name}", "", reason))
        else:
            params[name] = values
    if problems:
        raise NamedQueryProblems(400, problems)
    return params, namespaces(definition.get("@context"))


def create(principal: object, body: Any, header_prefixes: Mapping[str, str]) -> NamedQuery:
    """Save a named query for the caller's enterprise from ``{"name": …, "query": {…}}``.

    Raises NamedQueryProblems: 403 for a caller that is not an enterprise, 400 for a bad
    name or query (every problem named), 409 when the enterprise already has the name.
    """
    enterprise = services.capturing_enterprise(principal)
    if enterprise is None:
        reason = _("only an enterprise or its API token keeps named queries")
        raise NamedQueryProblems(403, [_problem("", "", reason)])
    if not isinstance(body, Mapping):
        raise NamedQueryProblems(400, [_problem("", "", _("send an object with name and query"))])
    problems = []
    name = body.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        reason = _(
            "1 to 100 letters, digits, '_', '.', '~' or '-', starting with a letter or digit"
        )
        problems.append(_problem("name", name if isinstance(name, str) else "", reason))
    for key in sorted(set(body) - {"name", "query"}):
        problems.append(_problem(key, "", _("unknown field; use name and query")))
    if "query" not in body:
        problems.append(_problem("query", "", _("required field missing")))
    if problems:
        raise NamedQueryProblems(400, problems)
    params, prefixes = parameters(body["query"])
    prefixes = {**header_prefixes, **prefixes}
    try:
        query.parse_query(params, prefixes)
    except query.QueryError as exc:
        problems = [{**p, "field": f"query.{p['field']}"} for p in exc.problems]
        raise NamedQueryProblems(400, problems) from exc
    if NamedQuery.objects.filter(enterprise=enterprise).count() >= QUERIES_PER_ENTERPRISE:
        reason = _("at most %(n)d named queries per enterprise") % {"n": QUERIES_PER_ENTERPRISE}
        raise NamedQueryProblems(400, [_problem("name", name, reason)])
    used = {p: ns for p, ns in prefixes.items() if any(f"_{p}:" in k for k in params)}
    try:
        with transaction.atomic():
            return NamedQuery.objects.create(
                enterprise=enterprise,
                name=name,
                query=params,
                namespaces=used,
                **actor_fields(principal, "created_by"),
            )
    except IntegrityError as exc:
        reason = _("this enterprise already has a query of this name")
        raise NamedQueryProblems(409, [_problem("name", name, reason)]) from exc


def definition(named: NamedQuery) -> dict[str, Any]:
    """The query as the binding shows it: its name and parameters (lists, bounds as text)."""
    body: dict[str, Any] = {}
    if named.namespaces:
        body["@context"] = [dict(named.namespaces)]
    for name, values in named.query.items():
        body[name] = values[0] if query.single_valued(name) else values
    return {"name": named.name, "query": body}
