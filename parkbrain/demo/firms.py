"""The demo zone's market entities: the four exemplars, manufacturers, service firms, shops,
co-operatives and firms that have left. Every draw comes from the builder's seeded generator."""

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from faker import Faker

from parkbrain.registry import uscc
from parkbrain.registry.choices import CodeLevel, EnterpriseStatus, Ownership
from parkbrain.registry.classification import Classifier
from parkbrain.registry.models import Enterprise, IndustryCode, Park, Zone

from . import calibration as cal
from .names import NameMaker

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


@dataclass
class Firm:
    """An enterprise about to be written, with what the generator knows about it."""

    enterprise: Enterprise
    size: float | None = None  # latent scale of industrial output (exemplars far above 1)
    growth: float = 0.0  # yearly log growth of that scale
    tags: list[str] = field(default_factory=list)
    key: str | None = None  # the exemplar's key


def _lognormal_capital(rng: random.Random, median_yuan: float, sigma: float) -> Decimal:
    value = median_yuan * math.exp(rng.gauss(0, sigma))
    return Decimal(round(value, -4)).quantize(Decimal("1"))


class FirmMaker:
    """Makes the zone's firms; `scale` shrinks every count for fast tests."""

    def __init__(
        self,
        rng: random.Random,
        fake: Faker,
        zone: Zone,
        parks: dict[str, Park],
        as_of: date,
        scale: float,
    ) -> None:
        self.rng, self.fake, self.zone, self.parks = rng, fake, zone, parks
        self.as_of, self.scale = as_of, scale
        self.names = NameMaker(rng)
        self.codes_used: set[str] = set()
        self.classifier = Classifier(zone)
        classes = IndustryCode.objects.filter(level=CodeLevel.CLASS).values_list("code", "id")
        self.code_ids = dict(classes)
        self.classes_by_division: dict[str, list[str]] = {}
        for code in self.code_ids:
            self.classes_by_division.setdefault(code[:2], []).append(code)

    def all(self) -> list[Firm]:
        return [
            *self.exemplars(),
            *self.manufacturers(self._scaled(COUNTS["manufacturing"])),
            *self.service_firms(self._scaled(COUNTS["services"])),
            *self.shops(self._scaled(COUNTS["shops"])),
            *self.cooperatives(self._scaled(COUNTS["coops"])),
            *self.service_firms(self._scaled(COUNTS["gone"]), gone=True),
        ]

    # -- kinds of firm ----------------------------------------------------------------------
    def exemplars(self) -> list[Firm]:
        firms = []
        for spec in EXEMPLARS:
            self.names.used.add(spec["name"])
            enterprise = self._enterprise(
                spec["code"],
                entity_type="91",
                name=spec["name"],
                founded_on=spec["founded_on"],
                settled_on=spec["settled_on"],
                registered_capital_yuan=spec["capital"],
                park=self.parks[spec["park"]],
                land_area_mu=spec["land_mu"],
                ownership=spec["ownership"],
            )
            firms.append(Firm(enterprise, spec["size"], 0.08, spec["tags"], spec["key"]))
        return firms

    def manufacturers(self, count: int) -> list[Firm]:
        firms = []
        for _ in range(count):
            division = self._division(MANUFACTURING_MIX)
            size = math.exp(self.rng.gauss(0, 1.1))
            declining = self.rng.random() < 0.08
            growth = self.rng.gauss(-0.12, 0.04) if declining else self.rng.gauss(0.06, 0.07)
            founded_on = self._founded(1993, self.as_of.year, 0.8)
            renting = size < 0.4 and self.rng.random() < 0.6
            land = (
                0
                if renting
                else round(min(900, 18 * size**0.9 * math.exp(self.rng.gauss(0, 0.35))), 1)
            )
            enterprise = self._enterprise(
                self.rng.choice(self.classes_by_division[division]),
                entity_type="91",
                name=self.names.company(division, large=size > 2.5),
                founded_on=founded_on,
                settled_on=min(self.as_of, founded_on + timedelta(days=self.rng.randint(0, 200))),
                registered_capital_yuan=_lognormal_capital(self.rng, 12_000_000 * size, 0.5),
                park=self._park(division, "manufacturing"),
                land_area_mu=Decimal(str(land)),
                ownership=self.rng.choices(
                    [Ownership.DOMESTIC, Ownership.FOREIGN, Ownership.HMT], weights=[86, 8, 6]
                )[0],
            )
            tags = []
            if self.rng.random() < min(0.55, 0.12 + 0.1 * size):
                tags.append("high-tech")
            if self.rng.random() < 0.10:
                tags.append("srdi-sme")
            elif size > 1.5 and self.rng.random() < 0.03:
                tags.append("little-giant")
            if self.rng.random() < 0.18:
                tags.append("tech-sme")
            firms.append(Firm(enterprise, size, growth, tags))
        return firms

    def service_firms(self, count: int, gone: bool = False) -> list[Firm]:
        """Service enterprises; `gone` ones have since deregistered or moved out."""
        firms = []
        for _ in range(count):
            division = self._division(SERVICE_MIX)
            if gone:
                founded_on = self._founded(2003, self.as_of.year - 1, 1.2)
                status = self.rng.choice(
                    [EnterpriseStatus.DEREGISTERED, EnterpriseStatus.MOVED_OUT]
                )
            else:
                founded_on = self._founded(2003, self.as_of.year, 1.8)
                suspended = self.rng.random() < 0.02
                status = EnterpriseStatus.SUSPENDED if suspended else EnterpriseStatus.OPERATING
            enterprise = self._enterprise(
                self.rng.choice(self.classes_by_division[division]),
                entity_type="91",
                name=self.names.company(division),
                founded_on=founded_on,
                registered_capital_yuan=_lognormal_capital(self.rng, 1_000_000, 1.0),
                park=self._park(division, "services"),
                ownership=Ownership.FOREIGN if self.rng.random() < 0.015 else Ownership.DOMESTIC,
                status=status,
            )
            tags = []
            if division in ("63", "64", "65", "73", "74", "75"):
                tags = [
                    s for s, p in (("tech-sme", 0.2), ("high-tech", 0.05)) if self.rng.random() < p
                ]
            firms.append(Firm(enterprise, tags=tags))
        return firms

    def shops(self, count: int) -> list[Firm]:
        """Individual businesses (个体工商户), placed where people live."""
        firms = []
        for _ in range(count):
            division = self._division(SHOP_MIX)
            owner = self.fake.name()
            enterprise = self._enterprise(
                self.rng.choice(self.classes_by_division[division]),
                entity_type="92",
                name=self.names.shop(division, owner),
                legal_representative=owner,
                founded_on=self._founded(2010, self.as_of.year, 1.6),
                registered_capital_yuan=_lognormal_capital(self.rng, 50_000, 0.8),
                park=self._park(division, "shops"),
            )
            firms.append(Firm(enterprise))
        return firms

    def cooperatives(self, count: int) -> list[Firm]:
        """Farmers' co-operatives (农民专业合作社) in the agricultural park."""
        park = self.parks["高桥农业科技产业园"]
        return [
            Firm(
                self._enterprise(
                    self.rng.choice(self.classes_by_division[self.rng.choice(["01", "03", "05"])]),
                    entity_type="93",
                    name=self.names.cooperative(),
                    founded_on=self._founded(2008, self.as_of.year, 1.0),
                    registered_capital_yuan=_lognormal_capital(self.rng, 500_000, 0.6),
                    park=park,
                )
            )
            for _ in range(count)
        ]

    # -- pieces -------------------------------------------------------------------------------
    def _enterprise(self, code: str, entity_type: str, **fields) -> Enterprise:
        fields.setdefault("legal_representative", self.fake.name())
        fields.setdefault("settled_on", fields["founded_on"])
        park = fields["park"]
        return Enterprise(
            zone=self.zone,
            credit_code=self._credit_code(entity_type, fields["founded_on"]),
            industry_code_id=self.code_ids[code],
            industry=self.classifier.industry_for(code),
            address=self.names.address(park.name if park else None),
            **fields,
        )

    def _credit_code(self, entity_type: str, founded_on: date) -> str:
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

    def _founded(self, start: int, end_year: int, recent_bias: float) -> date:
        """A founding date; recent_bias > 1 favours recent years (start-ups), < 1 older ones."""
        first = date(start, 1, 1)
        last = min(date(end_year, 12, 31), self.as_of - timedelta(days=30))
        span = (last - first).days
        return first + timedelta(days=int(span * self.rng.random() ** (1 / recent_bias)))

    def _division(self, mix: dict[str, int]) -> str:
        return self.rng.choices(list(mix), weights=list(mix.values()))[0]

    def _scaled(self, count: int) -> int:
        return max(1, round(count * self.scale))

    def _park(self, division: str, kind: str) -> Park:
        parks, rng = self.parks, self.rng
        if kind == "manufacturing":
            if division == "36":
                return (
                    parks["新能源汽车智造中心"] if rng.random() < 0.35 else parks["智能装备产业园"]
                )
            if division in ("39", "40"):
                return rng.choice(
                    [
                        parks["视觉物联创新中心"],
                        parks["数字经济双创新中心"],
                        parks["智能装备产业园"],
                    ]
                )
            if division in ("33", "34", "35", "37", "38"):
                return parks["智能装备产业园"]
            if division == "27":
                return parks["湾谷健康医疗创业中心"]
            if division in ("13", "14", "15"):
                return parks["高桥农业科技产业园"]
            if division in ("17", "18", "19", "21", "22", "23"):
                return rng.choice([parks["高桥农业科技产业园"], parks["前沿材料高端产业生态园"]])
            return parks["前沿材料高端产业生态园"]
        park_names = [name for name, *_rest in cal.PARKS]
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
            return parks[rng.choices(park_names, weights=[2, 2, 5, 1])[0]]
        # Shops follow where people live.
        residents = [population for _name, _km2, population, *_rest in cal.PARKS]
        return parks[rng.choices(park_names, weights=residents)[0]]
