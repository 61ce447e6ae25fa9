"""Log-ins a zone administrator gives, and everyone's own password."""

import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from parkbrain.registry import services
from parkbrain.registry.choices import AccountAction, Role
from parkbrain.registry.models import AccountEvent, Membership

pytestmark = pytest.mark.django_db

PASSWORD = "parkbrain-demo"
NEW_PASSWORD = "Qz7-tongxiang-gear-clerk"


def log_in(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, f"{username} could not log in"
    return client


def create(client: Client, **fields) -> tuple:
    data = {"family_name": "王", "given_name": "芳", "username": "wangfang", "email": ""}
    data.update({"role": Role.ENTERPRISE, **fields})
    response = client.post(reverse("registry:account-create"), data)
    return response, response.content.decode()


def temporary_password(body: str) -> str:
    return re.search(r'data-testid="temporary-password">([^<]+)<', body).group(1)


def test_a_temporary_password_is_readable_and_random():
    first, second = services.temporary_password(), services.temporary_password()
    assert re.fullmatch(r"[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}", first)
    assert not set(first) & set("0O1lI")
    assert first != second


def test_the_admin_gives_a_clerk_a_log_in_by_the_enterprise_name(demo):
    admin = log_in("admin")
    gear = demo.firms["gear"]
    response, body = create(admin, enterprise=gear.name)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    password = temporary_password(body)
    membership = Membership.objects.get(user__username="wangfang")
    assert (membership.role, membership.enterprise, membership.zone) == (
        Role.ENTERPRISE,
        gear,
        demo.zone,
    )
    assert membership.password_change_required
    assert membership.user.check_password(password)
    assert password not in membership.user.password
    event = AccountEvent.objects.get(user=membership.user)
    assert (event.action, event.actor) == (AccountAction.CREATED, demo.user("admin"))


def test_the_enterprise_may_be_given_as_offered_or_by_credit_code(demo):
    admin = log_in("admin")
    gear = demo.firms["gear"]
    options = admin.get(reverse("registry:account-enterprises"), {"enterprise": "精环"})
    offered = re.search(r'<option value="([^"]+)"', options.content.decode()).group(1)
    assert offered == f"{gear.name}（{gear.credit_code}）"
    create(admin, enterprise=offered)
    create(admin, username="lisi", enterprise=gear.credit_code.lower())
    assert set(
        Membership.objects.filter(enterprise=gear).values_list("user__username", flat=True)
    ) >= {
        "wangfang",
        "lisi",
    }


def test_a_wrong_enterprise_or_role_says_which_field_and_creates_nothing(demo):
    admin = log_in("admin")
    users = get_user_model().objects.count()
    response, _ = create(admin, enterprise="不存在的公司")
    assert response.status_code == 200
    assert response.context["form"].errors["enterprise"] == [
        "本开发区没有名为“不存在的公司”的在营企业。"
    ]
    response, _ = create(admin, role=Role.ANALYST, enterprise=demo.firms["gear"].name)
    assert "enterprise" in response.context["form"].errors
    response, _ = create(admin, enterprise="")
    assert "enterprise" in response.context["form"].errors
    response, _ = create(admin, username="GEAR", enterprise=demo.firms["gear"].name)
    assert response.context["form"].errors["username"] == ["该用户名已被使用，请另选一个。"]
    assert get_user_model().objects.count() == users
    assert not AccountEvent.objects.exists()


def test_a_temporary_password_must_be_changed_before_anything_else(demo):
    admin = log_in("admin")
    _, body = create(admin, enterprise=demo.firms["gear"].name)
    clerk = log_in("wangfang", temporary_password(body))
    for path in ("/", reverse("reporting:mine"), reverse("trace:genealogy")):
        response = clerk.get(path)
        assert (response.status_code, response["Location"]) == (302, reverse("password_change"))
    page = clerk.get(reverse("password_change"))
    assert "临时密码" in page.content.decode()
    assert clerk.get(reverse("api:me")).status_code == 200  # the API is not a page to redirect
    response = clerk.post(
        reverse("password_change"),
        {
            "old_password": temporary_password(body),
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert clerk.get("/").status_code == 200
    membership = Membership.objects.get(user__username="wangfang")
    assert not membership.password_change_required
    assert membership.user.account_events.first().action == AccountAction.PASSWORD_CHANGED
    log_in("wangfang", NEW_PASSWORD)


def test_everyone_changes_their_own_password(demo):
    analyst = log_in("analyst")
    wrong = analyst.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.context["form"].errors["old_password"]
    analyst.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert analyst.get("/").status_code == 200  # the session survives its own change
    assert (
        demo.user("analyst").__class__.objects.get(username="analyst").check_password(NEW_PASSWORD)
    )


def test_reset_gives_a_new_temporary_password_and_lifts_a_lock_out(demo, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("login"), {"username": "gear", "password": "wrong"})
    assert AccessAttempt.objects.filter(username="gear").exists()
    admin = log_in("admin")
    gear = demo.user("gear")
    response = admin.post(reverse("registry:account-reset-password", args=[gear.pk]))
    password = temporary_password(response.content.decode())
    assert not AccessAttempt.objects.filter(username="gear").exists()
    gear.refresh_from_db()
    assert gear.check_password(password) and not gear.check_password(PASSWORD)
    assert gear.membership.password_change_required


def test_a_deactivated_person_is_logged_out_and_kept(demo):
    clerk = log_in("gear")
    admin = log_in("admin")
    gear = demo.user("gear")
    response = admin.post(reverse("registry:account-active", args=[gear.pk]), {"active": "0"})
    assert response.status_code == 302
    assert clerk.get("/").status_code == 302  # the open session ends
    assert (
        Client().post(reverse("login"), {"username": "gear", "password": PASSWORD}).status_code
        == 200
    )
    assert Membership.objects.filter(user=gear).exists()
    admin.post(reverse("registry:account-active", args=[gear.pk]), {"active": "1"})
    log_in("gear")
    actions = list(gear.account_events.values_list("action", flat=True))
    assert actions == [AccountAction.REACTIVATED, AccountAction.DEACTIVATED]


def test_the_admin_cannot_lock_themselves_out(demo):
    admin = log_in("admin")
    me = demo.user("admin")
    response = admin.post(
        reverse("registry:account", args=[me.pk]),
        {"family_name": me.last_name, "given_name": me.first_name, "role": Role.ANALYST},
    )
    assert response.context["form"].errors["role"]
    assert (
        admin.post(reverse("registry:account-active", args=[me.pk]), {"active": "0"}).status_code
        == 403
    )
    me.refresh_from_db()
    assert me.is_active and me.membership.role == Role.ZONE_ADMIN


def test_changing_a_role_is_recorded_with_before_and_after(demo):
    admin = log_in("admin")
    pm = demo.user("pm")
    response = admin.post(
        reverse("registry:account", args=[pm.pk]),
        {
            "family_name": pm.last_name,
            "given_name": pm.first_name,
            "role": Role.ENTERPRISE,
            "enterprise": demo.firms["ev"].name,
        },
    )
    assert response.status_code == 302
    pm.refresh_from_db()
    assert (pm.membership.role, pm.membership.enterprise) == (
        Role.ENTERPRISE,
        demo.firms["ev"],
    )
    event = pm.account_events.get()
    assert event.detail == f"项目经理人 → 企业用户；— → {demo.firms['ev'].name}"


def test_the_list_finds_people_by_name_role_and_enterprise(demo):
    admin = log_in("admin")
    everyone = admin.get(reverse("registry:accounts")).context["page"].paginator.count
    assert everyone == Membership.objects.filter(zone=demo.zone).count()
    firms = admin.get(reverse("registry:accounts"), {"role": Role.ENTERPRISE}).context["page"]
    assert {m.role for m in firms} == {Role.ENTERPRISE}
    found = admin.get(reverse("registry:accounts"), {"q": "精环"}).context["page"]
    assert [m.user.username for m in found] == ["gear"]


# Tenancy: only a zone's administrators see and change its people.

ACCOUNT_ROUTES = ("registry:account", "registry:account-reset-password", "registry:account-active")


@pytest.mark.parametrize("username", ["analyst", "pm", "gear"])
def test_only_the_zones_administrators_manage_log_ins(demo, username):
    other = log_in(username)
    gear = demo.user("gear")
    assert other.get(reverse("registry:accounts")).status_code == 403
    assert other.get(reverse("registry:account-create")).status_code == 403
    assert (
        other.get(reverse("registry:account-enterprises"), {"enterprise": "精环"}).status_code
        == 403
    )
    for route in ACCOUNT_ROUTES:
        assert other.post(reverse(route, args=[gear.pk]), {"active": "0"}).status_code == 403
    assert Client().get(reverse("registry:accounts")).status_code == 302
    gear.refresh_from_db()
    assert gear.is_active


def test_another_zones_administrator_sees_none_of_this_zones_people(demo, other_zone):
    other = Client()
    other.post(reverse("login"), {"username": "other-admin", "password": "x-other-admin-1"})
    listed = other.get(reverse("registry:accounts")).content.decode()
    assert "gear" not in listed and "other-firm" in listed
    gear = demo.user("gear")
    for route in ACCOUNT_ROUTES:
        assert other.post(reverse(route, args=[gear.pk]), {"active": "0"}).status_code == 404
    assert other.get(reverse("registry:account", args=[gear.pk])).status_code == 404
    options = other.get(reverse("registry:account-enterprises"), {"enterprise": "精环"})
    assert "精环" not in options.content.decode()
    response, _ = create(other, enterprise=demo.firms["gear"].name)
    assert "enterprise" in response.context["form"].errors
    gear.refresh_from_db()
    assert gear.is_active and gear.check_password(PASSWORD)
