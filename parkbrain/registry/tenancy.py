"""Who may see which enterprise: the one place every view and API endpoint asks.

A principal is a logged-in user or a machine's API token. Zone administrators and analysts see
their zone's enterprises, project managers the enterprises assigned to them now, enterprise
users and tokens exactly one enterprise, anyone else nothing. A superuser without a membership
works in the first zone, like a zone administrator.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .choices import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from .models import ApiToken, Enterprise, Zone

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    """What a principal may see: one zone, or a set of enterprises."""

    zone_id: int | None = None
    enterprise_ids: frozenset[int] = frozenset()
    role: str | None = None

    @property
    def sees_whole_zone(self) -> bool:
        return self.zone_id is not None


NOTHING = Scope()


def scope_of(principal: "User | AnonymousUser | ApiToken | None") -> Scope:
    from .models import ApiToken, Assignment

    if principal is None or isinstance(principal, AnonymousUser):
        return NOTHING
    if isinstance(principal, ApiToken):
        if principal.revoked_at is not None or not principal.enterprise.in_business:
            return NOTHING
        return Scope(enterprise_ids=frozenset({principal.enterprise_id}), role=Role.ENTERPRISE)
    if not principal.is_active:
        return NOTHING
    cached = getattr(principal, "_parkbrain_scope", None)
    if cached is not None:
        return cached
    membership = membership_of(principal)
    if membership is None:
        zone = zone_of(principal) if principal.is_superuser else None
        scope = Scope(zone_id=zone.id, role=Role.ZONE_ADMIN) if zone else NOTHING
    elif membership.role in (Role.ZONE_ADMIN, Role.ANALYST):
        scope = Scope(zone_id=membership.zone_id, role=membership.role)
    elif membership.role == Role.PROJECT_MANAGER:
        today = timezone.localdate()
        ids = Assignment.objects.filter(
            Q(until__isnull=True) | Q(until__gte=today),
            manager=principal,
            enterprise__zone_id=membership.zone_id,
            since__lte=today,
        ).values_list("enterprise_id", flat=True)
        scope = Scope(enterprise_ids=frozenset(ids), role=membership.role)
    else:
        scope = Scope(enterprise_ids=frozenset({membership.enterprise_id}), role=membership.role)
    principal._parkbrain_scope = scope
    return scope


def membership_of(user):
    """The user's one membership, or None (a superuser may have none)."""
    from .models import Membership

    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def restrict(queryset: QuerySet[M], principal: object, via: str = "") -> QuerySet[M]:
    """Only the rows of `queryset` the principal may see.

    `via` is the path from the queryset's model to its enterprise ("" for enterprises
    themselves, "enterprise" for a model with an enterprise foreign key).
    """
    scope = scope_of(principal)  # type: ignore[arg-type]
    if scope.zone_id is not None:
        return queryset.filter(**{f"{via}__zone_id" if via else "zone_id": scope.zone_id})
    if not scope.enterprise_ids:
        return queryset.none()
    return queryset.filter(**{f"{via}_id__in" if via else "id__in": scope.enterprise_ids})


def visible_enterprises(principal: object) -> "QuerySet[Enterprise]":
    from .models import Enterprise

    return restrict(Enterprise.objects.all(), principal)


def writable_enterprises(principal: object) -> "QuerySet[Enterprise]":
    """Enterprises whose own data (reports and the like) the principal may change: zone staff
    their zone's, an enterprise user or token its own; project managers only read."""
    scope = scope_of(principal)  # type: ignore[arg-type]
    if scope.sees_whole_zone or scope.role == Role.ENTERPRISE:
        return visible_enterprises(principal)
    return visible_enterprises(principal).none()


def get_visible_enterprise(principal: object, pk: int) -> "Enterprise":
    """The enterprise if the principal may see it; 404 otherwise, never a hint that it exists."""
    from .models import Enterprise

    try:
        return visible_enterprises(principal).get(pk=pk)
    except Enterprise.DoesNotExist as exc:
        raise Http404 from exc


def zone_of(principal: object) -> "Zone | None":
    """The zone a principal works in: its membership's, its token's, or (for a superuser
    without one) the first zone."""
    from .models import ApiToken, Zone

    if isinstance(principal, ApiToken):
        return principal.enterprise.zone
    if principal is None or not getattr(principal, "is_authenticated", False):
        return None
    membership = membership_of(principal)
    if membership is not None:
        return membership.zone
    return Zone.objects.order_by("id").first() if principal.is_superuser else None  # type: ignore[attr-defined]
