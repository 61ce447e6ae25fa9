"""Recall notices for customers: an enterprise that received goods another enterprise of the
zone has recalled sees that recall, with only the items shipped to it. Nothing else of the
supplier's scope (its other customers, its stock) reaches the customer.

A shipment names its customer by a party identifier. It counts as the viewing enterprise only
when both sides say so: the viewer's own master data gives the identifier its registered name,
and so does the supplier's. Either alone could be mistaken or claimed by someone else."""

from dataclasses import dataclass, field
from decimal import Decimal

from parkbrain.registry.models import Enterprise

from .models import Location, Recall, RecallState
from .recall import recall_scope


@dataclass
class Notice:
    """One executed recall as one of its customers sees it."""

    recall: Recall
    supplier: str
    items: list[str] = field(default_factory=list)
    quantities: dict[str, Decimal] = field(default_factory=dict)


def own_parties(enterprise: Enterprise) -> set[str]:
    """The party identifiers the enterprise's own master data names with its registered name."""
    named = Location.objects.filter(enterprise=enterprise, name=enterprise.name)
    return set(named.values_list("uri", flat=True))


def notices_for(enterprise: Enterprise | None) -> list[Notice]:
    """The executed recalls of the zone's other enterprises that shipped items to `enterprise`,
    newest first, each with only those items."""
    if enterprise is None:
        return []
    parties = own_parties(enterprise)
    if not parties:
        return []
    recalls = (
        Recall.objects.filter(state=RecallState.EXECUTED, enterprise__zone_id=enterprise.zone_id)
        .exclude(enterprise=enterprise)
        .select_related("enterprise")
        .order_by("-executed_at", "-id")
    )
    found: list[Notice] = []
    for order in recalls:
        scope = recall_scope(order)
        mine = [
            c
            for c in scope.customers
            if c.party in parties and scope.name(c.party) == enterprise.name
        ]
        if not mine:
            continue
        notice = Notice(order, order.enterprise.name)
        for customer in mine:
            notice.items += customer.items
            for unit, amount in customer.quantities.items():
                notice.quantities[unit] = notice.quantities.get(unit, Decimal(0)) + amount
        notice.items.sort()
        found.append(notice)
    return found
