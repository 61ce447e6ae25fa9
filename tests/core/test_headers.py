"""Security headers: a Content-Security-Policy on pages and API answers, HSTS over HTTPS."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

import parkbrain

TEMPLATES = sorted(Path(parkbrain.__file__).parent.glob("**/templates/**/*.html"))


def _directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {
        name: sources for name, *sources in (directive.split() for directive in policy.split(";"))
    }


def _assert_strict(response) -> None:
    directives = _directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"][:2] == ["'self'", "'unsafe-hashes'"]
    assert all(source.startswith("'sha256-") for source in directives["script-src"][2:])
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    for name in ("style-src", "img-src", "font-src", "connect-src"):
        assert "'self'" in directives[name]
        assert not [source for source in directives[name] if source.startswith("http")]


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client, demo):
    _assert_strict(client.get(reverse("login")))
    client.force_login(demo.user("analyst"))
    page = client.get(reverse("registry:enterprises"))
    assert page.status_code == 200
    _assert_strict(page)


@pytest.mark.django_db
def test_api_answers_carry_the_same_policy(client, demo, gear_token):
    anonymous = client.get("/api/me")
    assert anonymous.status_code == 401
    _assert_strict(anonymous)
    answer = client.get("/api/me", **gear_token)
    assert answer.status_code == 200
    assert answer.headers["Content-Security-Policy"] == anonymous.headers["Content-Security-Policy"]


def test_templates_run_no_inline_script_but_the_allowed_event_handlers():
    assert len(TEMPLATES) > 40
    for template in TEMPLATES:
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (template, tag)
        for handler in re.findall(r"\son[a-z]+=\"([^\"]*)\"", text):
            assert handler in settings.CSP_INLINE_EVENT_HANDLERS, (template, handler)


HSTS = """
import json, os
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "parkbrain.settings"
django.setup()
from django.test import Client
answer = Client().get("/api/me", secure=True)
print(json.dumps(answer.headers.get("Strict-Transport-Security")))
"""


@pytest.mark.parametrize("secure_cookies, expected", [("1", "max-age=31536000"), ("", None)])
def test_https_answers_carry_hsts_when_cookies_are_secure(tmp_path, secure_cookies, expected):
    env = {
        **os.environ,
        "PARKBRAIN_VAR_DIR": str(tmp_path),
        "PARKBRAIN_SECURE_COOKIES": secure_cookies,
        "PARKBRAIN_ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", HSTS], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(result.stdout) == expected
