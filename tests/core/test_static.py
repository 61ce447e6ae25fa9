"""Static files as `make run` serves them: collected, hashed, compressed, cached for years."""

import json
import os
import subprocess
import sys
from pathlib import Path

SERVE = """
import json, os
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "parkbrain.settings"
django.setup()
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client

call_command("collectstatic", "--noinput", verbosity=0)
url = Template("{% load static %}{% static 'vendor/echarts/echarts.min.js' %}").render(Context())
client = Client(HTTP_ACCEPT_ENCODING="gzip, br")
hashed = client.get(url)
plain = client.get("/static/vendor/echarts/echarts.min.js")
print(json.dumps({
    "url": url,
    "status": hashed.status_code,
    "cache": hashed.headers.get("Cache-Control"),
    "encoding": hashed.headers.get("Content-Encoding"),
    "bytes": len(b"".join(hashed.streaming_content)),
    "plain_cache": plain.headers.get("Cache-Control"),
}))
"""


def test_collected_static_files_are_hashed_compressed_and_cached_for_years(tmp_path: Path):
    # Outside pytest (no PYTEST_VERSION), as gunicorn runs: the manifest storage, no finders.
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_VERSION"}
    env.update(
        PARKBRAIN_VAR_DIR=str(tmp_path),
        PARKBRAIN_DEBUG="",
        PARKBRAIN_ALLOWED_HOSTS="testserver",
    )
    result = subprocess.run(
        [sys.executable, "-c", SERVE], env=env, capture_output=True, text=True, check=True
    )
    served = json.loads(result.stdout)
    assert served["url"].startswith("/static/vendor/echarts/echarts.min.")
    assert served["url"] != "/static/vendor/echarts/echarts.min.js"
    assert served["status"] == 200
    assert served["encoding"] == "gzip"
    assert served["bytes"] < 500_000  # 1.1 MB uncompressed
    assert "immutable" in served["cache"] and "max-age=315360000" in served["cache"]
    assert served["plain_cache"] == "max-age=60, public"
    assert (tmp_path / "static" / "staticfiles.json").exists()
