"""What a principal's genealogy walks and recall scopes read: the edges, events and locations
it may see, and where it sees several enterprises, each event once (``genealogy.once_each``).
An enterprise sees only its own copies, so its view is left as it is."""

from typing import NamedTuple

from django.db.models import QuerySet

from parkbrain.registry import tenancy

from .finder import Sources
from .genealogy import once_each
from .models import Event, GenealogyEdge, Location, Product


class Walked(NamedTuple):
    edges: QuerySet[GenealogyEdge]
    events: QuerySet[Event]
    places: QuerySet[Location]


def walked_by(principal: object) -> Walked:
    edges = tenancy.restrict(GenealogyEdge.objects.all(), principal, via="enterprise")
    events = tenancy.restrict(Event.objects.all(), principal, via="enterprise")
    places = tenancy.restrict(Location.objects.all(), principal, via="enterprise")
    scope = tenancy.scope_of(principal)  # type: ignore[arg-type]
    if scope.sees_whole_zone or len(scope.enterprise_ids) > 1:
        edges, events = once_each(edges, events)
    return Walked(edges, events, places)


def sources_of(principal: object) -> Sources:
    """What the principal's finder searches (see ``finder.find``)."""
    walked = walked_by(principal)
    products = tenancy.restrict(Product.objects.all(), principal, via="enterprise")
    return Sources(walked.events, walked.places, products)
