"""Location master data: which read point or business location lies within which, per
enterprise, for the WD_readPoint and WD_bizLocation ("with descendants") query parameters.

Two sources, both per enterprise: the ``Location`` rows an enterprise states through the API
(each with its parent), and the SGLN rule that needs no master data: an SGLN with an extension
(urn:epc:id:sgln:6901234.00001.7, a dock) lies within the same SGLN with extension 0 (the site).
The hierarchy of an enterprise only widens the query over that enterprise's own events.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from parkbrain.registry.models import Enterprise

from .identifiers import IdentifierError, canonical
from .models import Location

SGLN = "urn:epc:id:sgln:"
#: Most levels a hierarchy may have; also bounds a walk should master data ever hold a cycle.
MAX_DEPTH = 30
#: Most locations one call may state.
BATCH_LIMIT = 1000
# Above every character a URI may hold: the exclusive upper bound of a prefix range.
_TOP = "\U0010ffff"


def site_prefix(uri: str) -> str | None:
    """``urn:epc:id:sgln:C.L.`` for the site SGLN ``urn:epc:id:sgln:C.L.0``, else None."""
    if uri.startswith(SGLN) and uri.endswith(".0") and uri.count(".") == 2:
        return uri[:-1]
    return None


def _starts_with(column: str, prefix: str) -> Q:
    # An index range only where text sorts byte by byte (SQLite); PostgreSQL collations may
    # order punctuation otherwise, so there LIKE alone.
    if connection.vendor == "sqlite":
        return Q(
            **{f"{column}__gte": prefix, f"{column}__lt": prefix + _TOP},
            **{f"{column}__startswith": prefix},
        )
    return Q(**{f"{column}__startswith": prefix})


@dataclass(frozen=True)
class Within:
    """The locations a WD_ parameter covers: the named ones (for every enterprise) and the
    descendants each enterprise's master data lists under them."""

    named: tuple[str, ...]
    descendants: tuple[tuple[int, tuple[str, ...]], ...] = ()

    def condition(self, column: str) -> Q:
        """Events whose `column` (read_point or biz_location) lies within."""
        found = Q(**{f"{column}__in": self.named})
        for uri in self.named:
            if prefix := site_prefix(uri):
                found |= _starts_with(column, prefix)
        for enterprise_id, uris in self.descendants:
            mine = Q(**{f"{column}__in": uris})
            for uri in uris:
                if prefix := site_prefix(uri):
                    mine |= _starts_with(column, prefix)
            found |= Q(enterprise_id=enterprise_id) & mine
        return found


def within(uris: Iterable[str], locations: QuerySet[Location]) -> Within:
    """The named (canonical) locations and their descendants among `locations` (already
    restricted to what the caller may see), found level by level."""
    named = tuple(dict.fromkeys(uris))
    found: dict[int, set[str]] = {}
    frontier = list(locations.filter(uri__in=named).values_list("id", flat=True))
    seen = set(frontier)
    for _level in range(MAX_DEPTH):
        if not frontier:
            break
        children = list(
            locations.filter(parent_id__in=frontier).values_list("id", "enterprise_id", "uri")
        )
        frontier = [pk for pk, _e, _u in children if pk not in seen]
        seen.update(frontier)
        for _pk, enterprise_id, uri in children:
            found.setdefault(enterprise_id, set()).add(uri)
    return Within(named, tuple((e, tuple(sorted(u))) for e, u in sorted(found.items())))


# -- stating master data ----------------------------------------------------------------------


class LocationProblems(Exception):
    """Refused master data: one problem per entry (index, field, value, reason)."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__(problems)
        self.problems = problems


def _problem(index: int | None, field: str, value: object, reason: str) -> dict[str, Any]:
    return {"index": index, "field": field, "value": str(value)[:200], "reason": reason}


#: An entry that leaves its parent as stored (master data that does not state it).
KEEP = "\x00keep"


URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


def _location_uri(value: object) -> str:
    """A location's identifier in its stored form: an SGLN, a Digital Link or another URI."""
    text = str(value or "").strip()
    if not URI.fullmatch(text):
        raise IdentifierError(
            _(
                "give the location's identifier: an SGLN (urn:epc:id:sgln:…), a GS1 Digital "
                "Link or another URI"
            )
        )
    return canonical(text)


def _checked(
    entries: Any, keep_unstated: bool = False
) -> tuple[list[tuple[str, str | None, str | None]], list[dict]]:
    """(uri, name, parent uri) per entry, canonical, and the problems of the batch itself.
    With `keep_unstated`, a missing name is None and a missing parent KEEP."""
    problems: list[dict] = []
    if not isinstance(entries, list) or not entries:
        return [], [_problem(None, "locations", "", _("send a non-empty list of locations"))]
    if len(entries) > BATCH_LIMIT:
        reason = _("at most %(n)d locations per call") % {"n": BATCH_LIMIT}
        return [], [_problem(None, "locations", len(entries), reason)]
    rows: list[tuple[str, str | None, str | None]] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            problems.append(_problem(index, "", "", _("each location is an object")))
            continue
        unknown = set(entry) - {"id", "name", "parent"}
        for key in sorted(unknown):
            problems.append(_problem(index, key, "", _("unknown field; use id, name, parent")))
        uri = None
        parent = KEEP if keep_unstated and "parent" not in entry else None
        try:
            uri = _location_uri(entry.get("id"))
        except IdentifierError as exc:
            problems.append(_problem(index, "id", entry.get("id", ""), str(exc)))
        if entry.get("parent") not in (None, ""):
            try:
                parent = _location_uri(entry["parent"])
            except IdentifierError as exc:
                problems.append(_problem(index, "parent", entry["parent"], str(exc)))
        name = None if keep_unstated and "name" not in entry else entry.get("name", "")
        if name is not None and (not isinstance(name, str) or len(name) > 200):
            problems.append(_problem(index, "name", name, _("text of at most 200 characters")))
            name = ""
        if uri is not None:
            rows.append((uri, name, parent))
    return rows, problems


def save_locations(
    enterprise: Enterprise, entries: Any, keep_unstated: bool = False
) -> dict[str, int]:
    """State locations of `enterprise` ({id, name, parent} each; a missing parent makes a
    top-level location). All or nothing: the whole batch is checked first (identifiers,
    duplicates, parents known in the batch or stored, no cycles). Saying the same again
    changes nothing. Returns how many were created and updated.

    With `keep_unstated` (master data sent with a capture), a missing name or parent leaves
    the stored one as it is."""
    rows, problems = _checked(entries, keep_unstated)
    index_of: dict[str, int] = {}
    for index, (uri, _name, _parent) in enumerate(rows):
        if uri in index_of:
            problems.append(_problem(index, "id", uri, _("listed twice in this call")))
        index_of.setdefault(uri, index)
    stored = {
        loc.uri: loc
        for loc in Location.objects.filter(enterprise=enterprise).select_related("parent")
    }
    parent_of = {uri: (loc.parent.uri if loc.parent else None) for uri, loc in stored.items()}
    parent_of.update({uri: parent for uri, _name, parent in rows if parent != KEEP})
    parent_of.update({uri: None for uri, _name, parent in rows if uri not in parent_of})
    for index, (uri, _name, stated) in enumerate(rows):
        parent = parent_of[uri] if stated == KEEP else stated
        if parent is not None and parent not in parent_of:
            problems.append(
                _problem(index, "parent", parent, _("unknown location; state the parent first"))
            )
            continue
        step, hops = parent, 0
        while step is not None and step != uri and hops <= MAX_DEPTH:
            step, hops = parent_of.get(step), hops + 1
        if step == uri:
            problems.append(_problem(index, "parent", parent, _("would make a cycle")))
        elif hops > MAX_DEPTH:
            reason = _("more than %(n)d levels deep") % {"n": MAX_DEPTH}
            problems.append(_problem(index, "parent", parent, reason))
    if problems:
        raise LocationProblems(problems)
    created: set[str] = set()
    updated: set[str] = set()
    with transaction.atomic():
        for uri, name, _parent in rows:
            location = stored.get(uri)
            if location is None:
                stored[uri] = Location.objects.create(
                    enterprise=enterprise, uri=uri, name=name or ""
                )
                created.add(uri)
            elif name is not None and location.name != name:
                location.name = name
                location.save(update_fields=["name", "updated_at"])
                updated.add(uri)
        changed = []
        for uri, _name, parent in rows:
            if parent == KEEP:
                continue
            location = stored[uri]
            parent_id = stored[parent].pk if parent else None
            if location.parent_id != parent_id:
                location.parent_id = parent_id
                location.updated_at = timezone.now()
                changed.append(location)
        Location.objects.bulk_update(changed, ["parent", "updated_at"])
        updated.update(loc.uri for loc in changed)
    return {"created": len(created), "updated": len(updated - created)}
