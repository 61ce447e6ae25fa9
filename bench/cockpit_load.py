"""The cockpit page under 32 concurrent clients, against the same server's GET /api/me.

Builds the full demo zone (no genealogy) into a scratch database and serves it as `make run`
does (collectstatic, then scripts/serve: gunicorn's workers beside a `parkbrain db_worker`),
on 127.0.0.1 and a free port. Logs in as the demo analyst, warms every worker up (each makes
its own copy of the figures on its first request), then drives 32 connections for 20 s at
/api/me and then at /cockpit/ with Debian's `wrk` (installed with apt-get when missing);
bench/cockpit_load.lua reports the percentiles and counts any answer but 200. Prints
requests/s and p95 of both, the ratio, and the CPU that the server and wrk used, to show that
the client is not what limits. A third run drives /cockpit/ again while the analyst accepts a
report every few seconds, each acceptance changing the figures every worker has cached.

Targets: the cockpit at ≥ 50 % of /api/me's requests/s, with p95 ≤ 500 ms (without writes).
"""

import http.cookiejar
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("PARKBRAIN_VAR_DIR", tempfile.mkdtemp(prefix="parkbrain-load-"))

from common import django_with_scratch_database  # noqa: E402

django_with_scratch_database()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from parkbrain.demo.builders import build_demo  # noqa: E402
from parkbrain.reporting.choices import ReportStatus  # noqa: E402
from parkbrain.reporting.models import MonthlyReport  # noqa: E402
from parkbrain.reporting.services import accept_report  # noqa: E402

CLIENTS = 32
SECONDS = 20
USER, PASSWORD = "analyst", "parkbrain-demo"
TICKS = os.sysconf("SC_CLK_TCK")
REVIEW_EVERY = 5  # seconds between acceptances in the third run
WARM_UP = 8  # seconds per page before measuring


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print("installing Debian's wrk with apt-get")
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "wrk"],
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        stdout=subprocess.DEVNULL,
        check=False,
    )
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is missing and apt-get could not install it: apt-get install wrk")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def group_cpu_seconds(group: int) -> float:
    """User and system CPU of the live processes in this process group."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("the server stopped while starting; see its log")
        try:
            urllib.request.urlopen(f"{base}/login/", timeout=5)
            return
        except OSError:
            time.sleep(0.5)
    sys.exit("the server did not answer within 90 s")


def log_in(base: str) -> str:
    """The Cookie header of the analyst's session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/login/")
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    form = {"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    opener.open(urllib.request.Request(f"{base}/login/", data=urlencode(form).encode()))
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        sys.exit("could not log in as the demo analyst")
    for path in ("/api/me", "/cockpit/"):
        answer = opener.open(f"{base}{path}")
        if answer.status != 200 or not answer.url.endswith(path):
            sys.exit(f"{path} answered {answer.status} at {answer.url}")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def drive(wrk: str, url: str, cookie: str, group: int, seconds: int = SECONDS) -> dict:
    """One wrk run: its figures, and the CPU seconds of the server and of wrk itself."""
    server_before = group_cpu_seconds(group)
    started = time.monotonic()
    run = subprocess.Popen(
        [
            wrk,
            "--threads",
            "1",
            "--connections",
            str(CLIENTS),
            "--duration",
            f"{seconds}s",
            # Slow answers must count in the percentiles, not drop out as timeouts.
            "--timeout",
            "60s",
            "--header",
            f"Cookie: {cookie}",
            "--script",
            str(REPO / "bench" / "cockpit_load.lua"),
            url,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    output = run.stdout.read()
    _pid, status, usage = os.wait4(run.pid, 0)
    wall = time.monotonic() - started
    if status != 0:
        sys.exit(f"wrk failed on {url}:\n{output}")
    result = json.loads(output.strip().splitlines()[-1])
    result["rate"] = result["requests"] / result["seconds"]
    result["server_cores"] = (group_cpu_seconds(group) - server_before) / wall
    result["wrk_cores"] = (usage.ru_utime + usage.ru_stime) / wall
    if result["not_ok"] or result["socket_errors"]:
        print(f"  warning: {result['not_ok']} answers not 200, {result['socket_errors']} errors")
    return result


def review_meanwhile(stop: threading.Event, accepted: list[int]) -> None:
    """The analyst accepts the oldest submitted report every REVIEW_EVERY seconds."""
    reviewer = User.objects.get(username=USER)
    waiting = MonthlyReport.objects.filter(status=ReportStatus.SUBMITTED).order_by("id")
    try:
        while not stop.wait(REVIEW_EVERY):
            accept_report(waiting.first(), reviewer)
            accepted.append(1)
    finally:
        connection.close()


def line(name: str, result: dict) -> str:
    return (
        f"{name:<10} {result['rate']:7.1f} requests/s  p50 {result['p50_ms']:7.1f} ms  "
        f"p95 {result['p95_ms']:7.1f} ms  p99 {result['p99_ms']:7.1f} ms  "
        f"(server {result['server_cores']:.2f} cores, wrk {result['wrk_cores']:.2f})"
    )


def main() -> None:
    wrk = wrk_binary()
    started = time.perf_counter()
    build_demo(seed=2024, scale=1.0, as_of=timezone.localdate(), trace_days=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    built = time.perf_counter() - started
    vendor = connection.vendor
    connection.close()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(Path(os.environ["PARKBRAIN_VAR_DIR"]) / "serve.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [str(REPO / "scripts" / "serve"), f"127.0.0.1:{port}"],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped, and measured, as one
    )
    try:
        wait_until_up(base, server)
        cookie = log_in(base)
        workers = os.environ.get("PARKBRAIN_WEB_WORKERS", "3")
        print(
            f"database: {vendor}; demo zone built in {built:.0f} s; serving with {workers} "
            f"gunicorn workers on {os.cpu_count()} cores; {CLIENTS} clients for {SECONDS} s each"
        )
        for path in ("/api/me", "/cockpit/"):
            drive(wrk, f"{base}{path}", cookie, server.pid, seconds=WARM_UP)
        api = drive(wrk, f"{base}/api/me", cookie, server.pid)
        print(line("/api/me", api))
        cockpit = drive(wrk, f"{base}/cockpit/", cookie, server.pid)
        print(line("/cockpit/", cockpit))
        stop, accepted = threading.Event(), []
        reviewer = threading.Thread(target=review_meanwhile, args=(stop, accepted))
        reviewer.start()
        try:
            changing = drive(wrk, f"{base}/cockpit/", cookie, server.pid)
        finally:
            stop.set()
            reviewer.join()
        print(line("/cockpit/", changing) + f", {len(accepted)} reports accepted meanwhile")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    ratio = cockpit["rate"] / api["rate"]
    print(
        f"cockpit at {ratio:.0%} of /api/me's rate (target ≥ 50 %: "
        f"{'met' if ratio >= 0.5 else 'MISSED'}); p95 {cockpit['p95_ms']:.0f} ms "
        f"(target ≤ 500 ms: {'met' if cockpit['p95_ms'] <= 500 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
