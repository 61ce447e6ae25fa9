"""Builds the deterministic demo zone: region baseline, zone, parks, industries, enterprises,
above-size lists and log-ins. The same seed and date give the same zone."""

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from parkbrain.core.bulk import analyse
from parkbrain.monitoring.services import evaluate_recent, install_default_rules
from parkbrain.registry import services
from parkbrain.registry.choices import AreaKind, CodeLevel, Role
from parkbrain.registry.models import (
    MU_PER_KM2,
    AboveScaleYear,
    Enterprise,
    Industry,
    IndustryCode,
    Park,
    Region,
    RegionYear,
    Tag,
    Zone,
)
from parkbrain.reporting.models import MonthlyReport, ReportValue
from parkbrain.reporting.periods import last_complete_month
from parkbrain.trace.gearplant import YEAR_LINES, GearPlant
from parkbrain.trace.models import EVENT_TABLES

from . import calibration as cal
from .evaluation import build_evaluation
from .firms import EXEMPLARS, Firm, FirmMaker
from .geometry import blob, offset
from .reports import build_reports
from .targets import build_targets
from .trace import build_trace

DEMO_PASSWORD = "parkbrain-demo"
FIRST_ABOVE_SCALE_YEAR = min(cal.ABOVE_SCALE_FIRMS)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    who: str


@dataclass
class DemoResult:
    zone: Zone
    logins: list[DemoLogin] = field(default_factory=list)
    token: str = ""
    token_enterprise: str = ""
    enterprise_count: int = 0
    report_count: int = 0
    evaluation_year: int | None = None
    warning_count: int = 0
    event_count: int = 0
    gear_plant: GearPlant | None = None


def above_scale_targets(as_of: date, scale: float) -> dict[int, int]:
    """How many firms are above size each year up to `as_of`, scaled for small test zones."""
    known = cal.ABOVE_SCALE_FIRMS
    last = max(known)
    years = range(FIRST_ABOVE_SCALE_YEAR, as_of.year + 1)
    targets = {y: known.get(y, known[last] + 5 * (y - last)) for y in years}
    return {y: max(len(EXEMPLARS), round(n * scale)) for y, n in targets.items()}


class _Builder:
    def __init__(self, seed: int, scale: float, as_of: date) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.scale = scale
        self.as_of = as_of

    # -- places -------------------------------------------------------------------------------
    def region(self) -> Region:
        region = Region.objects.create(name=cal.CITY_NAME, division_code=cal.CITY_DIVISION_CODE)
        city_output_2023 = cal.ZONE_OUTPUT_YUAN_2023 / cal.ZONE_OUTPUT_SHARE
        RegionYear.objects.bulk_create(
            RegionYear(
                region=region,
                year=year,
                area_km2=cal.CITY_AREA_KM2,
                population=population,
                industrial_output_yuan=(city_output_2023 * cal.CITY_OUTPUT_GROWTH[year]).quantize(
                    Decimal(1)
                ),
                industrial_investment_yuan=cal.CITY_INDUSTRIAL_INVESTMENT_YUAN[year],
                foreign_investment_usd=cal.CITY_FOREIGN_INVESTMENT_USD[year],
                source="演示数据（虚构），按开发区占全市比重校准",
            )
            for year, population in cal.CITY_POPULATION.items()
            if year < self.as_of.year
        )
        return region

    def zone(self, region: Region) -> Zone:
        return Zone.objects.create(
            region=region,
            name=cal.ZONE_NAME,
            short_name=cal.ZONE_SHORT_NAME,
            established_on=date(1992, 8, 1),
            is_demo=True,
        )

    def parks(self, zone: Zone) -> dict[str, Park]:
        parks: dict[str, Park] = {}
        centres_of = {name: (lon_lat, _km2) for name, _km2, _p, _f, lon_lat in cal.PARKS}
        # Residents are given for the article's year; they grow with the city, so the parks
        # stay 12% of it in the latest baseline year too.
        baseline_years = [year for year in cal.CITY_POPULATION if year < self.as_of.year]
        latest = max(baseline_years, default=cal.ARTICLE_YEAR)
        growth = cal.CITY_POPULATION[latest] / cal.CITY_POPULATION[cal.ARTICLE_YEAR]
        for order, (name, km2, residents, focus, centre) in enumerate(cal.PARKS):
            parks[name] = Park.objects.create(
                zone=zone,
                name=name,
                kind=AreaKind.PARK,
                area_mu=(km2 * MU_PER_KM2).quantize(Decimal("0.01")),
                population=round(residents * growth),
                focus=focus,
                outline=blob(self.rng, centre, float(km2)),
                sort_order=order,
            )
        for order, (name, park_name, mu, population, focus, (east, north)) in enumerate(
            cal.CENTRES
        ):
            centre = offset(centres_of[park_name][0], east, north)
            parks[name] = Park.objects.create(
                zone=zone,
                name=name,
                kind=AreaKind.CENTRE,
                located_in=parks[park_name],
                area_mu=mu,
                population=population,
                focus=focus,
                outline=blob(self.rng, centre, float(mu / MU_PER_KM2), vertices=10),
                sort_order=order,
            )
        return parks

    def industries(self, zone: Zone) -> None:
        codes = {code.code: code for code in IndustryCode.objects.exclude(level=CodeLevel.CLASS)}
        for order, (slug, name, name_en, mapped) in enumerate(cal.INDUSTRIES):
            industry = Industry.objects.create(
                zone=zone, slug=slug, name=name, name_en=name_en, sort_order=order
            )
            industry.codes.set([codes[code] for code in mapped])


@transaction.atomic
def build_demo(
    seed: int = 2024,
    scale: float = 1.0,
    as_of: date | None = None,
    reports: bool = True,
    trace_days: int = 0,
    trace_lines: int = YEAR_LINES,
) -> DemoResult:
    """Write the whole demo zone. `scale` shrinks the enterprise counts for fast tests;
    `reports=False` leaves out the monthly reports and the evaluation built on them;
    `trace_days` adds that many days of the gear maker's EPCIS genealogy up to `as_of`
    (365 with the default lines gives the demo's year of over 200,000 events)."""
    as_of = as_of or timezone.localdate()
    if as_of.year < FIRST_ABOVE_SCALE_YEAR:
        raise ValueError(f"The demo zone starts in {FIRST_ABOVE_SCALE_YEAR}; as_of is {as_of}.")
    b = _Builder(seed, scale, as_of)
    zone = b.zone(b.region())
    parks = b.parks(zone)
    b.industries(zone)
    firms = FirmMaker(b.rng, b.fake, zone, parks, as_of, scale).all()
    Enterprise.objects.bulk_create([firm.enterprise for firm in firms], batch_size=2000)
    _write_tags(firms)
    _write_above_scale(firms, as_of, scale)
    result = DemoResult(zone=zone, enterprise_count=len(firms))
    _write_logins(b, zone, firms, result)
    if reports:
        result.report_count = build_reports(firms, b.rng, as_of)
        analyse(Enterprise, AboveScaleYear, MonthlyReport, ReportValue)
        result.evaluation_year = build_evaluation(zone, firms, b.rng, as_of)
        # The monthly warning run, as if it had run for each of the latest months.
        install_default_rules(zone)
        result.warning_count = sum(r.raised for r in evaluate_recent(zone, as_of))
        build_targets(zone, last_complete_month(as_of)[0])
    if trace_days:
        result.event_count, result.gear_plant = build_trace(as_of, seed, trace_days, trace_lines)
        analyse(*EVENT_TABLES)
    # Written in bulk, past the rows' signals: anything read while it was built is stale.
    services.figures_changed(zones={zone.pk})
    return result


def _write_tags(firms: list[Firm]) -> None:
    tag_ids = dict(Tag.objects.values_list("slug", "id"))
    through = Enterprise.tags.through
    through.objects.bulk_create(
        [
            through(enterprise_id=firm.enterprise.id, tag_id=tag_ids[slug])
            for firm in firms
            for slug in firm.tags
        ],
        batch_size=2000,
    )


def _write_above_scale(firms: list[Firm], as_of: date, scale: float) -> None:
    """Each year the largest industrial firms founded before it make the list: firms near the
    threshold enter and leave as they grow or shrink, and the count matches the target."""
    industrial = [firm for firm in firms if firm.size is not None]
    rows = []
    for year, target in above_scale_targets(as_of, scale).items():
        ranked = sorted(
            (
                (firm.size * math.exp(firm.growth * (year - cal.ARTICLE_YEAR)), firm.enterprise.id)
                for firm in industrial
                if firm.enterprise.founded_on.year < year
            ),
            reverse=True,
        )
        rows.extend(AboveScaleYear(enterprise_id=pk, year=year) for _size, pk in ranked[:target])
    AboveScaleYear.objects.bulk_create(rows, batch_size=2000)


def _write_logins(b: _Builder, zone: Zone, firms: list[Firm], result: DemoResult) -> None:
    users = get_user_model()
    password_hash = make_password(DEMO_PASSWORD)  # one hash: every demo log-in shares it

    def user(username: str, role: Role, enterprise: Enterprise | None, who: str):
        name = b.fake.name()
        account = users.objects.create(
            username=username,
            password=password_hash,
            last_name=name[0],
            first_name=name[1:],
            email=f"{username}@demo.parkbrain.invalid",
        )
        services.grant_role(account, zone, role, enterprise)
        result.logins.append(DemoLogin(username, DEMO_PASSWORD, str(role.label), who))
        return account

    user("admin", Role.ZONE_ADMIN, None, "开发区管委会")
    user("analyst", Role.ANALYST, None, "经发局")
    exemplars = {firm.key: firm.enterprise for firm in firms if firm.key}
    latest = max(above_scale_targets(b.as_of, b.scale))
    above_now = AboveScaleYear.objects.filter(enterprise__zone=zone, year=latest)
    others = [
        pk
        for pk in above_now.order_by("enterprise_id").values_list("enterprise_id", flat=True)
        if pk not in {e.id for e in exemplars.values()}
    ]
    b.rng.shuffle(others)
    since = date(b.as_of.year - 2, 3, 1)
    first = min(26, len(others) // 2)  # small test zones still give pm2 some firms
    for username, ids in (
        ("pm", [e.id for e in exemplars.values()] + others[:first]),
        ("pm2", others[first : first + 24]),
    ):
        manager = user(username, Role.PROJECT_MANAGER, None, "项目经理人")
        for enterprise in Enterprise.objects.filter(pk__in=ids):
            services.assign_manager(manager, enterprise, since=since)
    for key, enterprise in exemplars.items():
        user(key, Role.ENTERPRISE, enterprise, enterprise.name)
    _token, raw = services.issue_api_token(exemplars["gear"], "MES 网关（演示）")
    result.token = raw
    result.token_enterprise = exemplars["gear"].name


def iter_logins(result: DemoResult) -> Iterable[str]:
    width = max(len(login.username) for login in result.logins)
    for login in result.logins:
        yield f"  {login.username:<{width}}  {login.password}  {login.role}  {login.who}"
