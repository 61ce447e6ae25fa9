"""The only code that writes registry state: log-ins and roles, assignments, API tokens, and
the version of each zone's figures."""

import hashlib
import secrets
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta

from axes.utils import reset as reset_lockout
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .choices import IN_BUSINESS, AccountAction, Role
from .models import (
    AccountEvent,
    ApiToken,
    Assignment,
    Enterprise,
    FiguresVersion,
    Membership,
    Zone,
)

TOKEN_PREFIX = "pbk"
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
ZONE_ADMIN_GROUP = "zone administrators"
REGISTRY_MODELS = (
    "region",
    "regionyear",
    "zone",
    "park",
    "industry",
    "industrycode",
    "tag",
    "enterprise",
    "abovescaleyear",
    "membership",
    "assignment",
    "apitoken",
)


def zone_admin_group() -> Group:
    """The group whose members may edit the registry in Django admin."""
    group, created = Group.objects.get_or_create(name=ZONE_ADMIN_GROUP)
    if created:
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="registry", content_type__model__in=REGISTRY_MODELS
            )
        )
    return group


@transaction.atomic
def end_membership(membership: Membership) -> None:
    """Take a user's role away, with the Django admin access that came with it."""
    user = membership.user
    membership.delete()
    user.is_staff = False
    user.save(update_fields=["is_staff"])
    user.groups.remove(*Group.objects.filter(name=ZONE_ADMIN_GROUP))


@transaction.atomic
def grant_role(user, zone: Zone, role: Role, enterprise: Enterprise | None = None) -> Membership:
    """Give a user their one role in a zone; zone administrators also get Django admin."""
    membership, _created = Membership.objects.update_or_create(
        user=user, defaults={"zone": zone, "role": role, "enterprise": enterprise}
    )
    user.is_staff = role == Role.ZONE_ADMIN
    user.save(update_fields=["is_staff"])
    if role == Role.ZONE_ADMIN:
        user.groups.add(zone_admin_group())
    else:
        user.groups.remove(*Group.objects.filter(name=ZONE_ADMIN_GROUP))
    return membership


# No 0/O, 1/l/I: a temporary password is read out over the phone or copied from a note.
PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def temporary_password() -> str:
    """Twelve random characters (about 70 bits) in groups of four, to be changed at first use."""
    chars = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def _record(user, zone: Zone, actor, action: AccountAction, detail: str = "") -> None:
    AccountEvent.objects.create(user=user, zone=zone, actor=actor, action=action, detail=detail)


@transaction.atomic
def create_account(
    zone: Zone,
    actor,
    *,
    username: str,
    family_name: str,
    given_name: str,
    email: str,
    role: Role,
    enterprise: Enterprise | None,
) -> tuple[object, str]:
    """A new person with one role in the zone and a temporary password, returned only here,
    that they must change when they first log in."""
    password = temporary_password()
    user = get_user_model().objects.create_user(
        username=username,
        email=email,
        password=password,
        last_name=family_name,
        first_name=given_name,
    )
    membership = grant_role(user, zone, role, enterprise)
    membership.password_change_required = True
    membership.save(update_fields=["password_change_required"])
    _record(user, zone, actor, AccountAction.CREATED, membership.get_role_display())
    return user, password


@transaction.atomic
def change_account(
    membership: Membership,
    actor,
    *,
    family_name: str,
    given_name: str,
    email: str,
    role: Role,
    enterprise: Enterprise | None,
) -> None:
    user = membership.user
    before = (user.last_name, user.first_name, user.email, membership.role, membership.enterprise)
    if before == (family_name, given_name, email, role, enterprise):
        return
    user.last_name, user.first_name, user.email = family_name, given_name, email
    user.save(update_fields=["last_name", "first_name", "email"])
    old_role = membership.get_role_display()
    old_enterprise = membership.enterprise
    membership = grant_role(user, membership.zone, role, enterprise)
    parts = []
    if old_role != membership.get_role_display():
        parts.append(f"{old_role} → {membership.get_role_display()}")
    if old_enterprise != membership.enterprise:
        parts.append(f"{old_enterprise or '—'} → {membership.enterprise or '—'}")
    _record(user, membership.zone, actor, AccountAction.CHANGED, "；".join(parts))


@transaction.atomic
def reset_password(membership: Membership, actor) -> str:
    """A new temporary password, returned only here; the old one stops working and any log-in
    lock-out on the user name is lifted."""
    user = membership.user
    password = temporary_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    membership.password_change_required = True
    membership.save(update_fields=["password_change_required"])
    reset_lockout(username=user.get_username())
    _record(user, membership.zone, actor, AccountAction.PASSWORD_RESET)
    return password


@transaction.atomic
def set_account_active(membership: Membership, actor, active: bool) -> None:
    """Deactivating keeps the person's history and ends their sessions at the next request
    (Django's authentication refuses inactive users); reactivating lets them back in."""
    user = membership.user
    if user.is_active == active:
        return
    user.is_active = active
    user.save(update_fields=["is_active"])
    action = AccountAction.REACTIVATED if active else AccountAction.DEACTIVATED
    _record(user, membership.zone, actor, action)


@transaction.atomic
def password_changed(user) -> None:
    """The person chose their own password: the temporary one's obligation ends."""
    membership = Membership.objects.select_for_update().filter(user=user).first()
    if membership is None:
        return
    membership.password_change_required = False
    membership.save(update_fields=["password_change_required"])
    _record(user, membership.zone, user, AccountAction.PASSWORD_CHANGED)


def assign_manager(manager, enterprise: Enterprise, since: date | None = None) -> Assignment:
    assignment, _created = Assignment.objects.get_or_create(
        manager=manager, enterprise=enterprise, defaults={"since": since or timezone.localdate()}
    )
    return assignment


def _digest(raw: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is safe; a slow one would tax every call.
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_api_token(enterprise: Enterprise, name: str, created_by=None) -> tuple[ApiToken, str]:
    """A new token for a machine of this enterprise. The plain text is returned only here."""
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        enterprise=enterprise,
        name=name,
        prefix=prefix,
        digest=_digest(raw),
        created_by=created_by,
    )
    return token, raw


def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def acting(principal: object) -> tuple[object | None, ApiToken | None]:
    """Who acts, as history columns keep it: (the person, None) or (None, the machine token)."""
    return (None, principal) if isinstance(principal, ApiToken) else (principal, None)


def actor_fields(principal: object, person: str = "changed_by") -> dict:
    """``acting`` as keyword arguments of a model with a person column and a ``token`` column."""
    who, token = acting(principal)
    return {person: who, "token": token}


def authenticate_token(raw: str) -> ApiToken | None:
    """The live token with this text, or None. Tokens of firms no longer in business (moved
    out, deregistered) stop working with them."""
    token = (
        ApiToken.objects.select_related("enterprise__zone")
        .filter(
            digest=_digest(raw.strip()),
            revoked_at__isnull=True,
            enterprise__status__in=IN_BUSINESS,
        )
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Record use at most once a minute: a busy gateway should not write on every call.
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# -- the version of a zone's figures (FiguresVersion) ------------------------------------------

_pending = threading.local()


def figures_version(zone: Zone) -> int:
    """The zone's figures version as committed now; the first read gives the zone one."""
    number = FiguresVersion.objects.filter(pk=zone.pk).values_list("number", flat=True).first()
    if number is None:
        number = FiguresVersion.objects.get_or_create(
            zone=zone, defaults={"number": secrets.randbits(63)}
        )[0].number
    return number


def figures_changed(zones: Iterable[int] = (), enterprises: Iterable[int] = ()) -> None:
    """Give the figures of these zones, and of these enterprises' zones, a new version. Call it
    in the transaction that changes them; inside `changing_figures` it waits for the block's
    end."""
    pending = getattr(_pending, "changes", None)
    if pending is not None:
        pending[0].update(zones)
        pending[1].update(enterprises)
        return
    _new_versions(set(zones), set(enterprises))


@contextmanager
def changing_figures() -> Iterator[None]:
    """Within a transaction: hold back the figures_changed calls of a service, and of the
    services it calls, and write them once when the outermost block ends without error. The
    version row is then the last row the transaction locks, so two writers of one zone never
    hold it while each waits for a row the other has (a report's warnings, say)."""
    if getattr(_pending, "changes", None) is not None:
        yield
        return
    _pending.changes = changes = (set(), set())
    try:
        yield
    finally:
        _pending.changes = None
    _new_versions(*changes)


def _new_versions(zones: set[int], enterprises: set[int]) -> None:
    if not zones and not enterprises:
        return
    which = Q(zone_id__in=sorted(zones))
    if enterprises:
        which |= Q(zone_id__in=Enterprise.objects.filter(pk__in=enterprises).values("zone_id"))
    # A zone without a version yet has nothing cached: the first read gives it one.
    FiguresVersion.objects.filter(which).update(number=secrets.randbits(63))
