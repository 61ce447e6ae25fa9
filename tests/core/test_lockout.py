"""Log-in lock-out: per user name from an address, per address, and addresses behind a proxy."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "parkbrain-demo"


def _log_in(client: Client, username: str, password: str, **headers) -> int:
    return client.post(
        reverse("login"), {"username": username, "password": password}, **headers
    ).status_code


def test_one_address_trying_many_user_names_is_locked_out(demo, settings):
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    for number in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        assert _log_in(guesser, f"guess-{number}", "wrong") == 200
    assert _log_in(guesser, "guess-last", "wrong") == 429
    assert _log_in(guesser, "gear", PASSWORD) == 429
    assert _log_in(Client(REMOTE_ADDR="203.0.113.20"), "gear", PASSWORD) == 302


def test_a_few_people_mistyping_at_one_office_address_do_not_lock_it(demo, settings):
    office = Client(REMOTE_ADDR="203.0.113.20")
    people = ("gear", "cobalt", "ev", "pm")
    assert len(people) * (settings.AXES_FAILURE_LIMIT - 1) < settings.LOGIN_ADDRESS_FAILURE_LIMIT
    for username in people:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert _log_in(office, username, "wrong") == 200
    assert _log_in(office, "analyst", PASSWORD) == 302


def test_logging_in_does_not_clear_the_addresss_failures_under_other_names(demo, settings):
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    for number in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        _log_in(guesser, f"guess-{number}", "wrong")
    assert _log_in(guesser, "gear", PASSWORD) == 302
    assert _log_in(Client(REMOTE_ADDR="198.51.100.7"), "guess-last", "wrong") == 429
    assert _log_in(Client(REMOTE_ADDR="198.51.100.7"), "cobalt", PASSWORD) == 429


@pytest.fixture
def behind_one_proxy(settings):
    """As PARKBRAIN_PROXY_CLIENT_IP_HEADER=HTTP_X_FORWARDED_FOR with one proxy sets it."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR",)
    settings.AXES_IPWARE_PROXY_COUNT = 0
    return Client(REMOTE_ADDR="10.0.0.2")  # every request comes from the proxy


def test_behind_the_proxy_another_client_cannot_lock_a_user_out(demo, settings, behind_one_proxy):
    attacker = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(behind_one_proxy, "gear", "wrong", **attacker)
    assert _log_in(behind_one_proxy, "gear", PASSWORD, **attacker) == 429
    owner = {"HTTP_X_FORWARDED_FOR": "203.0.113.20"}
    assert _log_in(behind_one_proxy, "gear", PASSWORD, **owner) == 302


def test_behind_the_proxy_a_forged_forwarded_address_is_not_believed(
    demo, settings, behind_one_proxy
):
    # The proxy appends the address it saw to whatever the client sent.
    forged = {"HTTP_X_FORWARDED_FOR": "203.0.113.20, 198.51.100.7"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(behind_one_proxy, "gear", "wrong", **forged)
    owner = {"HTTP_X_FORWARDED_FOR": "203.0.113.20"}
    assert _log_in(behind_one_proxy, "gear", PASSWORD, **owner) == 302
    attacker = {"HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert _log_in(Client(REMOTE_ADDR="10.0.0.2"), "gear", PASSWORD, **attacker) == 429
