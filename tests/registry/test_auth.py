import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "parkbrain-demo"


def test_log_in_with_the_demo_password(client, demo):
    response = client.post(reverse("login"), {"username": "analyst", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_wrong_password_says_so_without_saying_which_part(client, demo):
    response = client.post(reverse("login"), {"username": "analyst", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_five_failures_lock_the_account_out(client, demo, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "analyst", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "analyst", "password": PASSWORD})
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    # Another account from the same address is not locked.
    other = client.post(reverse("login"), {"username": "pm", "password": PASSWORD})
    assert other.status_code == 302


def test_passwords_are_hashed(demo):
    user = demo.user("analyst")
    assert PASSWORD not in user.password
    assert user.check_password(PASSWORD)


def test_forms_need_the_csrf_token(demo):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("login"), {"username": "analyst", "password": PASSWORD})
    assert response.status_code == 403
    strict.force_login(demo.user("gear"))
    url = reverse("registry:token-create", args=[demo.firms["gear"].pk])
    assert strict.post(url, {"name": "x"}).status_code == 403
    assert not demo.firms["gear"].api_tokens.filter(name="x").exists()


def test_log_out_needs_post(client, demo):
    client.force_login(demo.user("analyst"))
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302
