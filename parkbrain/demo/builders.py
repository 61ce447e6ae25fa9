"""Builds the deterministic demo zone: region baseline, zone, parks, industries, enterprises,
above-size lists and log-ins. The same seed and date give the same zone."""

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from parkbrain.registry import services, uscc
from parkbrain.registry.choices import AreaKind, CodeLevel, EnterpriseStatus, Ownership, Role
from parkbrain.registry.classification import Classifier
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

from . import calibration as cal
from .geometry import blob, offset
from .names import NameMaker

DEMO_PASSWORD = "parkbrain-demo"
FIRST_YEAR = 2021
FIRST_ABOVE_SCALE_YEAR = min(cal.ABOVE_SCALE_FIRMS)

# Share of each GB/T 4754 division among the zone's firms of each kind (fictional but typical of
# a Zhejiang county zone: auto parts, fibres and materials, with textiles still present).
MANUFACTURING_MIX = {
    "36": 14,
    "34": 10,
    "35": 7,
    "38": 8,
    "40": 2,
    "37": 1,
    "39": 7,
    "30": 5,
    "28": 6,
    "26": 5,
    "29": 5,
    "32": 2,
    "17": 8,
    "18": 6,
    "33": 5,
    "13": 2,
    "27": 2,
    "21": 2,
    "22": 2,
    "23": 1,
}
SERVICE_MIX = {
    "51": 22,
    "52": 8,
    "65": 10,
    "64": 5,
    "63": 1,
    "72": 14,
    "73": 3,
    "74": 4,
    "75": 8,
    "54": 3,
    "58": 3,
    "59": 1,
    "70": 2,
    "67": 2,
    "69": 1,
    "47": 2,
    "48": 1,
    "50": 1,
    "62": 2,
    "78": 2,
    "83": 1,
    "88": 2,
    "80": 1,
    "84": 1,
}
SHOP_MIX = {"52": 45, "62": 25, "80": 15, "81": 5, "51": 5, "17": 3, "18": 2}
COUNTS = {"manufacturing": 1150, "services": 6950, "shops": 6300, "coops": 40, "gone": 430}

TAGS_BY_SLUG = ("high-tech", "srdi-sme", "little-giant", "tech-sme")

EXEMPLARS = [
    {
        "key": "glassfibre",
        "name": "浙江恒石玻纤复合材料股份有限公司",
        "code": "3061",
        "park": "前沿材料高端产业生态园",
        "founded_on": date(1999, 3, 18),
        "settled_on": date(1999, 6, 1),
        "capital": Decimal("4000000000"),
        "land_mu": Decimal("2150"),
        "tags": ["high-tech"],
        "ownership": Ownership.DOMESTIC,
        "size": 60.0,
    },
    {
        "key": "gear",
        "name": "嘉兴精环传动科技有限公司",
        "code": "3453",
        "park": "智能装备产业园",
        "founded_on": date(2015, 9, 22),
        "settled_on": date(2015, 11, 16),  # signed with the zone in November 2015
        "capital": Decimal("800000000"),
        "land_mu": Decimal("386"),
        "tags": ["high-tech", "little-giant"],
        "ownership": Ownership.DOMESTIC,
        "size": 25.0,
    },
    {
        "key": "cobalt",
        "name": "浙江钴源新能源材料集团有限公司",
        "code": "3213",
        "park": "前沿材料高端产业生态园",
        "founded_on": date(2002, 5, 22),
        "settled_on": date(2002, 8, 8),
        "capital": Decimal("1600000000"),
        "land_mu": Decimal("1280"),
        "tags": ["high-tech"],
        "ownership": Ownership.DOMESTIC,
        "size": 70.0,
    },
    {
        "key": "ev",
        "name": "桐乡启行新能源汽车有限公司",
        "code": "3612",
        "park": "新能源汽车智造中心",
        "founded_on": date(2014, 10, 16),
        "settled_on": date(2014, 12, 30),
        "capital": Decimal("3200000000"),
        "land_mu": Decimal("2600"),
        "tags": ["high-tech"],
        "ownership": Ownership.DOMESTIC,
        "size": 40.0,
    },
]


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
        self.names = NameMaker(self.rng)
        self.scale = scale
        self.as_of = as_of
        self.codes_used: set[str] = set()

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
        for order, (name, km2, population, focus, centre) in enumerate(cal.PARKS):
            parks[name] = Park.objects.create(
                zone=zone,
                name=name,
                kind=AreaKind.PARK,
                area_mu=(km2 * MU_PER_KM2).quantize(Decimal("0.01")),
                population=population,
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

    # -- enterprises --------------------------------------------------------------------------
    def credit_code(self, entity_type: str, founded_on: date) -> str:
        """A fresh valid code; codes issued since October 2015 carry an MA… subject body."""
        division = self.rng.choices(["330483", "330400", "330000"], weights=[88, 9, 3])[0]
        while True:
            if founded_on >= date(2015, 10, 1):
                body = "MA" + "".join(self.rng.choices(uscc.ALPHABET, k=6))
            else:
                body = "".join(self.rng.choices("0123456789", k=8))
            first17 = entity_type + division + body + uscc.organisation_check_character(body)
            code = uscc.complete(first17)
            if code not in self.codes_used:
                self.codes_used.add(code)
                return code

    def founded(self, start: int, end_year: int, recent_bias: float) -> date:
        """A founding date; recent_bias > 1 favours recent years (start-ups), < 1 older ones."""
        first = date(start, 1, 1)
        last = min(date(end_year, 12, 31), self.as_of - timedelta(days=30))
        span = (last - first).days
        return first + timedelta(days=int(span * self.rng.random() ** (1 / recent_bias)))

    def pick_division(self, mix: dict[str, int]) -> str:
        return self.rng.choices(list(mix), weights=list(mix.values()))[0]

    def scaled(self, count: int) -> int:
        return max(1, round(count * self.scale))


def _class_codes_by_division() -> dict[str, list[str]]:
    by_division: dict[str, list[str]] = {}
    for code in IndustryCode.objects.filter(level=CodeLevel.CLASS).values_list("code", flat=True):
        by_division.setdefault(code[:2], []).append(code)
    return by_division


def _park_for(b: _Builder, parks: dict[str, Park], division: str, kind: str) -> Park | None:
    rng = b.rng
    if kind == "manufacturing":
        if division == "36":
            return parks["新能源汽车智造中心"] if rng.random() < 0.35 else parks["智能装备产业园"]
        if division in ("39", "40"):
            return rng.choice(
                [parks["视觉物联创新中心"], parks["数字经济双创新中心"], parks["智能装备产业园"]]
            )
        if division in ("34", "35", "37", "38", "33"):
            return parks["智能装备产业园"]
        if division == "27":
            return parks["湾谷健康医疗创业中心"]
        if division in ("13", "14", "15"):
            return parks["高桥农业科技产业园"]
        if division in ("17", "18", "19", "21", "22", "23"):
            return rng.choice([parks["高桥农业科技产业园"], parks["前沿材料高端产业生态园"]])
        return parks["前沿材料高端产业生态园"]
    if kind == "services":
        if division in ("63", "64", "65"):
            return rng.choices(
                [parks["数字经济双创新中心"], parks["桐乡科创中心"], parks["高铁产业新城"]],
                weights=[5, 2, 3],
            )[0]
        if division in ("73", "74", "75"):
            return rng.choice([parks["桐乡科创中心"], parks["高铁产业新城"]])
        if division == "84":
            return parks["湾谷健康医疗创业中心"]
        return rng.choices([parks[name] for name, *_rest in cal.PARKS], weights=[2, 2, 5, 1])[0]
    if kind == "coops":
        return parks["高桥农业科技产业园"]
    # Shops follow where people live.
    return rng.choices(
        [parks[name] for name, *_rest in cal.PARKS], weights=[p for _n, _k, p, *_r in cal.PARKS]
    )[0]


def _lognormal_capital(rng: random.Random, median_yuan: float, sigma: float) -> Decimal:
    value = median_yuan * math.exp(rng.gauss(0, sigma))
    return Decimal(round(value, -4)).quantize(Decimal("1"))


@transaction.atomic
def build_demo(seed: int = 2024, scale: float = 1.0, as_of: date | None = None) -> DemoResult:
    """Write the whole demo zone. `scale` shrinks the enterprise counts for fast tests."""
    as_of = as_of or timezone.localdate()
    b = _Builder(seed, scale, as_of)
    region = b.region()
    zone = b.zone(region)
    parks = b.parks(zone)
    b.industries(zone)
    classifier = Classifier(zone)
    classes = _class_codes_by_division()
    code_ids = dict(IndustryCode.objects.filter(level=CodeLevel.CLASS).values_list("code", "id"))
    tags = {tag.slug: tag for tag in Tag.objects.filter(slug__in=TAGS_BY_SLUG)}

    enterprises: list[Enterprise] = []
    sizes: dict[int, tuple[float, float]] = {}  # index in `enterprises` → (size, growth)
    tag_plan: dict[int, list[str]] = {}
    exemplar_index: dict[str, int] = {}

    def add(enterprise: Enterprise, code: str) -> int:
        enterprise.zone = zone
        enterprise.industry_code_id = code_ids[code]
        enterprise.industry = classifier.industry_for(code)
        enterprises.append(enterprise)
        return len(enterprises) - 1

    for spec in EXEMPLARS:
        index = add(
            Enterprise(
                credit_code=b.credit_code("91", spec["founded_on"]),
                name=spec["name"],
                legal_representative=b.fake.name(),
                founded_on=spec["founded_on"],
                settled_on=spec["settled_on"],
                registered_capital_yuan=spec["capital"],
                park=parks[spec["park"]],
                land_area_mu=spec["land_mu"],
                ownership=spec["ownership"],
                address=b.names.address(spec["park"]),
            ),
            spec["code"],
        )
        b.names.used.add(spec["name"])
        exemplar_index[spec["key"]] = index
        sizes[index] = (spec["size"], 0.08)
        tag_plan[index] = spec["tags"]

    for _ in range(b.scaled(COUNTS["manufacturing"])):
        division = b.pick_division(MANUFACTURING_MIX)
        size = math.exp(b.rng.gauss(0, 1.1))
        declining = b.rng.random() < 0.08
        growth = b.rng.gauss(-0.12, 0.04) if declining else b.rng.gauss(0.06, 0.07)
        large = size > 2.5
        founded_on = b.founded(1993, as_of.year, 0.8)
        park = _park_for(b, parks, division, "manufacturing")
        land = (
            Decimal(0)
            if (size < 0.4 and b.rng.random() < 0.6)
            else Decimal(round(min(900, 18 * size**0.9 * math.exp(b.rng.gauss(0, 0.35))), 1))
        )
        ownership = b.rng.choices(
            [Ownership.DOMESTIC, Ownership.FOREIGN, Ownership.HMT], weights=[86, 8, 6]
        )[0]
        index = add(
            Enterprise(
                credit_code=b.credit_code("91", founded_on),
                name=b.names.company(division, large=large),
                legal_representative=b.fake.name(),
                founded_on=founded_on,
                settled_on=founded_on + timedelta(days=b.rng.randint(0, 200)),
                registered_capital_yuan=_lognormal_capital(b.rng, 12_000_000 * size, 0.5),
                park=park,
                land_area_mu=land,
                ownership=ownership,
                address=b.names.address(park.name if park else None),
            ),
            b.rng.choice(classes[division]),
        )
        sizes[index] = (size, growth)
        plan = []
        if b.rng.random() < min(0.55, 0.12 + 0.1 * size):
            plan.append("high-tech")
        if b.rng.random() < 0.10:
            plan.append("srdi-sme")
        elif size > 1.5 and b.rng.random() < 0.03:
            plan.append("little-giant")
        if b.rng.random() < 0.18:
            plan.append("tech-sme")
        tag_plan[index] = plan

    for _ in range(b.scaled(COUNTS["services"])):
        division = b.pick_division(SERVICE_MIX)
        founded_on = b.founded(2003, as_of.year, 1.8)
        park = _park_for(b, parks, division, "services")
        index = add(
            Enterprise(
                credit_code=b.credit_code("91", founded_on),
                name=b.names.company(division),
                legal_representative=b.fake.name(),
                founded_on=founded_on,
                settled_on=founded_on,
                registered_capital_yuan=_lognormal_capital(b.rng, 1_000_000, 1.0),
                park=park,
                ownership=Ownership.FOREIGN if b.rng.random() < 0.015 else Ownership.DOMESTIC,
                status=EnterpriseStatus.SUSPENDED
                if b.rng.random() < 0.02
                else EnterpriseStatus.OPERATING,
                address=b.names.address(park.name if park else None),
            ),
            b.rng.choice(classes[division]),
        )
        if division in ("63", "64", "65", "73", "74", "75"):
            tag_plan[index] = [
                slug for slug, p in (("tech-sme", 0.2), ("high-tech", 0.05)) if b.rng.random() < p
            ]

    for _ in range(b.scaled(COUNTS["shops"])):
        division = b.pick_division(SHOP_MIX)
        owner = b.fake.name()
        founded_on = b.founded(2010, as_of.year, 1.6)
        park = _park_for(b, parks, division, "shops")
        add(
            Enterprise(
                credit_code=b.credit_code("92", founded_on),
                name=b.names.shop(division, owner),
                legal_representative=owner,
                founded_on=founded_on,
                settled_on=founded_on,
                registered_capital_yuan=_lognormal_capital(b.rng, 50_000, 0.8),
                park=park,
                address=b.names.address(park.name if park else None),
            ),
            b.rng.choice(classes[division]),
        )

    for _ in range(b.scaled(COUNTS["coops"])):
        founded_on = b.founded(2008, as_of.year, 1.0)
        division = b.rng.choice(["01", "03", "05"])
        add(
            Enterprise(
                credit_code=b.credit_code("93", founded_on),
                name=b.names.cooperative(),
                legal_representative=b.fake.name(),
                founded_on=founded_on,
                settled_on=founded_on,
                registered_capital_yuan=_lognormal_capital(b.rng, 500_000, 0.6),
                park=parks["高桥农业科技产业园"],
                address=b.names.address("高桥农业科技产业园"),
            ),
            b.rng.choice(classes[division]),
        )

    for _ in range(b.scaled(COUNTS["gone"])):
        division = b.pick_division(SERVICE_MIX)
        founded_on = b.founded(2003, as_of.year - 1, 1.2)
        park = _park_for(b, parks, division, "services")
        add(
            Enterprise(
                credit_code=b.credit_code("91", founded_on),
                name=b.names.company(division),
                legal_representative=b.fake.name(),
                founded_on=founded_on,
                settled_on=founded_on,
                registered_capital_yuan=_lognormal_capital(b.rng, 1_000_000, 1.0),
                park=park,
                status=b.rng.choice([EnterpriseStatus.DEREGISTERED, EnterpriseStatus.MOVED_OUT]),
                address=b.names.address(park.name if park else None),
            ),
            b.rng.choice(classes[division]),
        )

    Enterprise.objects.bulk_create(enterprises, batch_size=2000)
    _write_tags(enterprises, tag_plan, tags)
    _write_above_scale(b, enterprises, sizes, exemplar_index)

    result = DemoResult(zone=zone, enterprise_count=len(enterprises))
    _write_logins(b, zone, enterprises, exemplar_index, result)
    return result


def _write_tags(
    enterprises: list[Enterprise], plan: dict[int, list[str]], tags: dict[str, Tag]
) -> None:
    through = Enterprise.tags.through
    through.objects.bulk_create(
        [
            through(enterprise_id=enterprises[index].id, tag_id=tags[slug].id)
            for index, slugs in plan.items()
            for slug in slugs
        ],
        batch_size=2000,
    )


def _write_above_scale(
    b: _Builder,
    enterprises: list[Enterprise],
    sizes: dict[int, tuple[float, float]],
    exemplar_index: dict[str, int],
) -> None:
    """Each year the largest industrial firms founded before it make the list: firms near the
    threshold enter and leave as they grow or shrink, and the count matches the target."""
    rows = []
    for year, target in above_scale_targets(b.as_of, b.scale).items():
        eligible = [
            (size * math.exp(growth * (year - cal.ARTICLE_YEAR)), index)
            for index, (size, growth) in sizes.items()
            if enterprises[index].founded_on.year < year
        ]
        eligible.sort(reverse=True)
        rows.extend(
            AboveScaleYear(enterprise_id=enterprises[index].id, year=year)
            for _size, index in eligible[:target]
        )
    AboveScaleYear.objects.bulk_create(rows, batch_size=2000)


def _write_logins(
    b: _Builder,
    zone: Zone,
    enterprises: list[Enterprise],
    exemplar_index: dict[str, int],
    result: DemoResult,
) -> None:
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
    above_now = list(
        AboveScaleYear.objects.filter(
            enterprise__zone=zone, year=max(above_scale_targets(b.as_of, b.scale))
        )
        .order_by("enterprise_id")
        .values_list("enterprise_id", flat=True)
    )
    exemplar_ids = [enterprises[i].id for i in exemplar_index.values()]
    others = [pk for pk in above_now if pk not in exemplar_ids]
    b.rng.shuffle(others)
    managers = [
        ("pm", exemplar_ids + others[:26], "项目经理人"),
        ("pm2", others[26:50], "项目经理人"),
    ]
    start = date(b.as_of.year - 2, 3, 1)
    for username, ids, who in managers:
        manager = user(username, Role.PROJECT_MANAGER, None, who)
        for enterprise in Enterprise.objects.filter(pk__in=ids):
            services.assign_manager(manager, enterprise, since=start)
    for key, index in exemplar_index.items():
        user(key, Role.ENTERPRISE, enterprises[index], enterprises[index].name)
    gear = enterprises[exemplar_index["gear"]]
    _token, raw = services.issue_api_token(gear, "MES 网关（演示）")
    result.token = raw
    result.token_enterprise = gear.name


def iter_logins(result: DemoResult) -> Iterable[str]:
    width = max(len(login.username) for login in result.logins)
    for login in result.logins:
        yield f"  {login.username:<{width}}  {login.password}  {login.role}  {login.who}"
