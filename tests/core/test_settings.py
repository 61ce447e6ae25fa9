import os
import subprocess
import sys
from pathlib import Path


def _settings_value(expression: str, env: dict[str, str]) -> str:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'parkbrain.settings'; "
        f"django.setup(); from django.conf import settings; print({expression})"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_secret_key_is_generated_once_and_kept(tmp_path: Path):
    env = {"PARKBRAIN_VAR_DIR": str(tmp_path), "PARKBRAIN_SECRET_KEY": ""}
    first = _settings_value("settings.SECRET_KEY", env)
    second = _settings_value("settings.SECRET_KEY", env)
    assert first == second and len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_secret_key_from_the_environment_wins(tmp_path: Path):
    env = {"PARKBRAIN_VAR_DIR": str(tmp_path), "PARKBRAIN_SECRET_KEY": "from-env"}
    assert _settings_value("settings.SECRET_KEY", env) == "from-env"


def test_debug_is_off_unless_asked(tmp_path: Path):
    env = {"PARKBRAIN_VAR_DIR": str(tmp_path), "PARKBRAIN_DEBUG": ""}
    assert _settings_value("settings.DEBUG", env) == "False"
    env["PARKBRAIN_DEBUG"] = "1"
    assert _settings_value("settings.DEBUG", env) == "True"


def test_database_url_selects_the_database(tmp_path: Path):
    env = {"PARKBRAIN_VAR_DIR": str(tmp_path), "PARKBRAIN_DATABASE_URL": ""}
    assert _settings_value("settings.DATABASES['default']['ENGINE']", env).endswith("sqlite3")
    env["PARKBRAIN_DATABASE_URL"] = "postgres://u@127.0.0.1:5/db"
    assert _settings_value("settings.DATABASES['default']['ENGINE']", env).endswith("postgresql")


def test_the_mes_namespace_is_the_zones_own_and_must_be_a_url_ending_in_a_slash(tmp_path: Path):
    env = {"PARKBRAIN_VAR_DIR": str(tmp_path), "PARKBRAIN_MES_NAMESPACE": ""}
    assert _settings_value("settings.MES_NAMESPACE", env) == "https://parkbrain.invalid/ns/mes/"
    env["PARKBRAIN_MES_NAMESPACE"] = "https://tongxiang.example.cn/ns/mes/"
    expression = "__import__('parkbrain.mes.epcis').mes.epcis.CONTEXT[1]['mes']"
    assert _settings_value(expression, env) == "https://tongxiang.example.cn/ns/mes/"
    env["PARKBRAIN_MES_NAMESPACE"] = "tongxiang-mes"
    try:
        _settings_value("settings.MES_NAMESPACE", env)
    except subprocess.CalledProcessError as exc:
        assert "PARKBRAIN_MES_NAMESPACE must be an http(s) URL" in exc.stderr
    else:
        raise AssertionError("a namespace that is not a URL was taken")


def test_behind_proxies_the_client_address_is_the_one_the_proxies_wrote(tmp_path: Path):
    env = {"PARKBRAIN_VAR_DIR": str(tmp_path), "PARKBRAIN_PROXY_CLIENT_IP_HEADER": ""}
    address = (
        "__import__('axes.helpers').helpers.get_client_ip_address("
        "__import__('django.test').test.RequestFactory().get("
        "'/', REMOTE_ADDR='10.0.0.3', HTTP_X_FORWARDED_FOR='{chain}'))"
    )
    chain = "203.0.113.20, 198.51.100.7, 10.0.0.2"  # forged, the client, the first proxy
    assert _settings_value(address.format(chain=chain), env) == "10.0.0.3"
    env.update(PARKBRAIN_PROXY_CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR", PARKBRAIN_PROXY_COUNT="2")
    assert _settings_value(address.format(chain=chain), env) == "198.51.100.7"
    env["PARKBRAIN_PROXY_CLIENT_IP_HEADER"] = "X-Forwarded-For"
    try:
        _settings_value("settings.AXES_IPWARE_META_PRECEDENCE_ORDER", env)
    except subprocess.CalledProcessError as exc:
        assert "request.META key such as HTTP_X_FORWARDED_FOR" in exc.stderr
    else:
        raise AssertionError("a header name that is not a request.META key was taken")
