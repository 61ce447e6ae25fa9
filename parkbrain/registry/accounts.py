"""Pages: a zone administrator's log-ins for the zone's people, and everyone's own password."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parkbrain.core.people import person_name

from . import services, tenancy
from .choices import IN_BUSINESS, Role
from .forms import AccountForm
from .models import Enterprise, Membership, Zone

PAGE_SIZE = 25
SUGGESTIONS = 10


def _administered_zone(request: HttpRequest) -> Zone:
    if tenancy.scope_of(request.user).role != Role.ZONE_ADMIN:
        raise PermissionDenied(_("Only the zone's administrators manage log-ins."))
    return tenancy.zone_of(request.user)


def _membership(zone: Zone, user_id: int) -> Membership:
    """A person of the administrator's zone; 404 for anyone else's."""
    return get_object_or_404(
        Membership.objects.select_related("user", "enterprise", "zone"), zone=zone, user_id=user_id
    )


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    zone = _administered_zone(request)
    people = Membership.objects.filter(zone=zone).select_related("user", "enterprise")
    q, role, state = (request.GET.get(k, "").strip() for k in ("q", "role", "state"))
    if q:
        people = people.filter(
            Q(user__username__icontains=q)
            | Q(user__last_name__icontains=q)
            | Q(user__first_name__icontains=q)
            | Q(enterprise__name__icontains=q)
        )
    if role in Role.values:
        people = people.filter(role=role)
    if state in ("active", "inactive"):
        people = people.filter(user__is_active=state == "active")
    page = Paginator(people.order_by("role", "user__username"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/account_list.html",
        {
            "page": page,
            "q": q,
            "role": role,
            "state": state,
            "roles": Role.choices,
            "query": query.urlencode(),
        },
    )


@login_required
def account_create(request: HttpRequest) -> HttpResponse:
    zone = _administered_zone(request)
    form = AccountForm(request.POST or None, zone=zone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user, password = services.create_account(
            zone,
            request.user,
            username=data["username"],
            family_name=data["family_name"],
            given_name=data["given_name"],
            email=data["email"],
            role=data["role"],
            enterprise=data["enterprise"],
        )
        return _show_password(request, _membership(zone, user.pk), password, created=True)
    return render(request, "registry/account_form.html", {"form": form, "membership": None})


@login_required
def account_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    zone = _administered_zone(request)
    membership = _membership(zone, user_id)
    form = AccountForm(request.POST or None, zone=zone, membership=membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if membership.user_id == request.user.pk and data["role"] != Role.ZONE_ADMIN:
            form.add_error("role", _("You cannot take away your own administrator role."))
        else:
            services.change_account(
                membership,
                request.user,
                family_name=data["family_name"],
                given_name=data["given_name"],
                email=data["email"],
                role=data["role"],
                enterprise=data["enterprise"],
            )
            messages.success(request, _("Saved."))
            return redirect("registry:account", user_id=user_id)
    return render(
        request,
        "registry/account_form.html",
        {
            "form": form,
            "membership": membership,
            "events": membership.user.account_events.select_related("actor")[:20],
            "is_self": membership.user_id == request.user.pk,
        },
    )


@login_required
@require_POST
def account_reset_password(request: HttpRequest, user_id: int) -> HttpResponse:
    zone = _administered_zone(request)
    membership = _membership(zone, user_id)
    password = services.reset_password(membership, request.user)
    return _show_password(request, membership, password, created=False)


@login_required
@require_POST
def account_set_active(request: HttpRequest, user_id: int) -> HttpResponse:
    zone = _administered_zone(request)
    membership = _membership(zone, user_id)
    active = request.POST.get("active") == "1"
    if membership.user_id == request.user.pk and not active:
        raise PermissionDenied(_("You cannot deactivate your own log-in."))
    services.set_account_active(membership, request.user, active)
    name = person_name(membership.user)
    if active:
        messages.success(request, _("%(name)s can log in again.") % {"name": name})
    else:
        messages.success(
            request, _("%(name)s can no longer log in; their history is kept.") % {"name": name}
        )
    return redirect("registry:account", user_id=user_id)


@login_required
def account_enterprise_options(request: HttpRequest) -> HttpResponse:
    """Enterprises of the zone matching what the administrator types, as datalist options."""
    zone = _administered_zone(request)
    q = request.GET.get("enterprise", "").strip()
    found = Enterprise.objects.none()
    if q:
        found = Enterprise.objects.filter(
            Q(name__icontains=q) | Q(credit_code__startswith=q.upper()),
            zone=zone,
            status__in=IN_BUSINESS,
        ).order_by("name")[:SUGGESTIONS]
    return render(request, "registry/_enterprise_options.html", {"enterprises": found})


def _show_password(
    request: HttpRequest, membership: Membership, password: str, created: bool
) -> HttpResponse:
    response = render(
        request,
        "registry/account_password.html",
        {"membership": membership, "password": password, "created": created},
    )
    add_never_cache_headers(response)
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Everyone's own password; it also ends the duty to replace a temporary one."""

    template_name = "registry/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(self.request.user)
        messages.success(self.request, _("Your password is changed."))
        return response
