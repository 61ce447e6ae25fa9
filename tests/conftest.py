"""Fixtures shared by every test: a small demo zone, its people, and a second zone."""

import os
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

# Live-server browser tests run Django code from Playwright's event-loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Every test runs on a pinned clock, never the wall clock: "today" is this date, at 10:00 in
# the zone's time, and time moves on from there. CI runs the tests marked `clock` again with
# PARKBRAIN_TEST_TODAY set a month and a year ahead; those tests say their dates relative to
# AS_OF.
AS_OF = date.fromisoformat(os.environ.get("PARKBRAIN_TEST_TODAY", "2026-11-26"))
NOW = datetime.combine(AS_OF, time(10), tzinfo=ZoneInfo("Asia/Shanghai"))


def pytest_configure(config) -> None:
    # Started once for the whole run, in every thread (the live server's too); a test moves
    # it further with the `time_machine` fixture.
    time_machine.travel(NOW, tick=True).start()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Zone:
    """A built demo zone with handles on its people and exemplar enterprises."""

    result: object
    users: dict
    firms: dict

    @property
    def zone(self):
        return self.result.zone

    def user(self, username: str):
        return self.users[username]


def _build(seed: int = 7, scale: float = 0.03, reports: bool = False) -> Zone:
    from django.contrib.auth import get_user_model

    from parkbrain.demo.builders import EXEMPLARS, build_demo
    from parkbrain.registry.models import Enterprise

    result = build_demo(seed=seed, scale=scale, as_of=AS_OF, reports=reports)
    users = {u.username: u for u in get_user_model().objects.all()}
    firms = {spec["key"]: Enterprise.objects.get(name=spec["name"]) for spec in EXEMPLARS}
    return Zone(result=result, users=users, firms=firms)


def ensure_reference_data() -> None:
    """Live-server tests empty the database after each test; load again what migrations load."""
    from parkbrain.registry.models import IndustryCode, Tag
    from parkbrain.registry.reference import load_industry_codes, load_tags
    from parkbrain.reporting import catalogue
    from parkbrain.reporting.models import EnergyCoefficient, Indicator

    if not IndustryCode.objects.exists():
        load_industry_codes(IndustryCode)
        load_tags(Tag)
    if not Indicator.objects.exists():
        catalogue.load(Indicator, EnergyCoefficient)


@pytest.fixture
def demo(db) -> Zone:
    """A demo zone at 3% scale (about 450 market entities), as at AS_OF, with no reports."""
    return _build()


@pytest.fixture
def demo_with_reports(db) -> Zone:
    """The same zone with its monthly reports since January 2021."""
    return _build(reports=True)


@pytest.fixture
def other_zone(db):
    """A second zone in another city, with one enterprise and its own administrator."""
    from django.contrib.auth import get_user_model

    from parkbrain.registry import services, uscc
    from parkbrain.registry.choices import AreaKind, Role
    from parkbrain.registry.models import (
        AboveScaleYear,
        Enterprise,
        Industry,
        IndustryCode,
        Park,
        Region,
        Tag,
        Zone,
    )

    region = Region.objects.create(name="海宁市", division_code="330481")
    zone = Zone.objects.create(
        region=region, name="海宁经济开发区（测试）", short_name="海宁经开区"
    )
    park = Park.objects.create(zone=zone, name="测试园", kind=AreaKind.PARK, area_mu=Decimal(900))
    firm = Enterprise.objects.create(
        zone=zone,
        credit_code=uscc.complete(
            "91330481MA2B0000" + uscc.organisation_check_character("MA2B0000")
        ),
        name="海宁测试纺织有限公司",
        legal_representative="王测试",
        founded_on=date(2019, 5, 1),
        registered_capital_yuan=Decimal(10_000_000),
        industry_code=IndustryCode.objects.get(code="1751"),
        park=park,
    )
    AboveScaleYear.objects.bulk_create(
        [AboveScaleYear(enterprise=firm, year=year) for year in (2023, 2025, 2026)]
    )
    firm.tags.add(Tag.objects.get(slug="little-giant"))
    industry = Industry.objects.create(zone=zone, slug="textiles", name="纺织", name_en="Textiles")
    industry.codes.add(IndustryCode.objects.get(code="17"))
    Enterprise.objects.filter(pk=firm.pk).update(industry=industry)
    admin = get_user_model().objects.create_user("other-admin", password="x-other-admin-1")
    services.grant_role(admin, zone, Role.ZONE_ADMIN)
    user = get_user_model().objects.create_user("other-firm", password="x-other-firm-1")
    services.grant_role(user, zone, Role.ENTERPRISE, firm)
    return {"zone": zone, "park": park, "firm": firm, "admin": admin, "user": user}


def pytest_report_header(config) -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"database: {engine}; today: {AS_OF.isoformat()} (pinned)"


def _machine_token(firm) -> dict[str, str]:
    from parkbrain.registry.services import issue_api_token

    _token, raw = issue_api_token(firm, "mes")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def gear_token(demo) -> dict[str, str]:
    """The Authorization header of a machine token of the demo's gear maker."""
    return _machine_token(demo.firms["gear"])


@pytest.fixture
def ev_token(demo) -> dict[str, str]:
    """The same for the demo's EV maker."""
    return _machine_token(demo.firms["ev"])


def _worker(batch: bool):
    """django-tasks' own database worker, as `parkbrain db_worker` runs it."""
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["default"],
        interval=0 if batch else 0.2,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )


@pytest.fixture
def committed_demo(transactional_db) -> Zone:
    """The demo zone of `demo`, committed: for tests whose work runs on other connections
    (threads, the job worker)."""
    ensure_reference_data()
    return _build()


@pytest.fixture
def run_jobs(transactional_db):
    """Run the queued jobs with the real worker until none is left. The worker commits as it
    goes, so tests that use it run outside a test transaction (with `committed_demo`)."""
    return lambda: _worker(batch=True).run()


@pytest.fixture
def job_worker(live_server):
    """A worker running beside the live server for the test's length, as `make run` starts."""
    import threading

    from django.db import connections

    worker = _worker(batch=False)

    def work() -> None:
        try:
            worker.run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    yield worker
    worker.running = False
    thread.join(10)
