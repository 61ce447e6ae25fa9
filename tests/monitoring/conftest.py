"""A small hand-built zone whose warnings can be worked out by hand.

Four firms above designated size in 2025 and 2026, reporting year-to-date figures for
January to March (all submitted):

    output (yuan, year to date)   2025: Jan Feb Mar     2026: Jan Feb Mar
    A 甲                            100 200 300           60 120 180    −40 % growth
    B 乙                            100 200 300          100 210 330    +10 %
    C 丙                             50 100 150           70 140 210    +40 %
    D 丁                           (no reports)          (no reports)

A uses 1,000 kWh a month in both years, so its energy per unit of output rises by
300/180 − 1 = 66.7 %. B reports a year-to-date loss in March 2026. C reports no energy at
all and, in March 2026, taxes of 80 against revenue of 50. Ranked by March output (ties share
the better place): 2025 A 1, B 1, C 3; 2026 B 1, C 2, A 3, so A drops two places.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from parkbrain.registry import services as registry
from parkbrain.registry import uscc
from parkbrain.registry.choices import AreaKind, Role
from parkbrain.registry.models import AboveScaleYear, Enterprise, IndustryCode, Park, Region, Zone
from parkbrain.reporting import services as reporting
from parkbrain.reporting.choices import Channel
from parkbrain.reporting.validation import IncomingRow

TODAY = date(2026, 11, 26)

FIGURES = {
    # firm: year: (output, electricity kWh, revenue, taxes, profit) per month, year to date
    "A": {
        2025: [(100, 1000, 100, 3, 5), (200, 2000, 200, 6, 10), (300, 3000, 300, 9, 15)],
        2026: [(60, 1000, 60, 2, 2), (120, 2000, 120, 4, 4), (180, 3000, 180, 6, 6)],
    },
    "B": {
        2025: [(100, 500, 100, 3, 5), (200, 1000, 200, 6, 10), (300, 1500, 300, 9, 15)],
        2026: [(100, 500, 100, 3, 1), (210, 1050, 210, 6, -2), (330, 1650, 330, 9, -5)],
    },
    "C": {
        2025: [(50, None, 50, 1, 1), (100, None, 100, 2, 2), (150, None, 150, 3, 3)],
        2026: [(70, None, 20, 10, 1), (140, None, 40, 20, 2), (210, None, 50, 80, 3)],
    },
}


@dataclass
class SmallZone:
    zone: Zone
    park: Park
    firms: dict[str, Enterprise]
    users: dict[str, object]


def _firm(zone: Zone, park: Park, key: str, name: str) -> Enterprise:
    serial = f"MA2C000{'ABCD'.index(key)}"
    return Enterprise.objects.create(
        zone=zone,
        credit_code=uscc.complete("91330483" + serial + uscc.organisation_check_character(serial)),
        name=name,
        legal_representative="张测试",
        founded_on=date(2015, 1, 1),
        registered_capital_yuan=Decimal(1_000_000),
        industry_code=IndustryCode.objects.get(code="3670"),
        park=park,
    )


def report(firm: Enterprise, principal, year: int, month: int, submit: bool = True, **values):
    reporting.save_reports(
        [IncomingRow(firm.credit_code, year, month, values)],
        principal,
        Channel.FORM,
        submit=submit,
        today=TODAY,
    )


@pytest.fixture
def small(db, django_user_model) -> SmallZone:
    region = Region.objects.create(name="桐乡市（测试）", division_code="330483")
    zone = Zone.objects.create(region=region, name="小测试开发区", short_name="小测试")
    park = Park.objects.create(zone=zone, name="一号园", kind=AreaKind.PARK, area_mu=Decimal(500))
    names = {
        "A": "甲机械有限公司",
        "B": "乙材料有限公司",
        "C": "丙电子有限公司",
        "D": "丁纺织有限公司",
    }
    firms = {key: _firm(zone, park, key, name) for key, name in names.items()}
    AboveScaleYear.objects.bulk_create(
        AboveScaleYear(enterprise=firm, year=year)
        for firm in firms.values()
        for year in (2025, 2026)
    )
    users = {}
    for username, role, firm in (
        ("admin", Role.ZONE_ADMIN, None),
        ("analyst", Role.ANALYST, None),
        ("pm", Role.PROJECT_MANAGER, None),
        ("firm-a", Role.ENTERPRISE, firms["A"]),
        ("firm-b", Role.ENTERPRISE, firms["B"]),
    ):
        users[username] = django_user_model.objects.create_user(username, password="pw-" + username)
        registry.grant_role(users[username], zone, role, firm)
    registry.assign_manager(users["pm"], firms["A"], since=date(2020, 1, 1))
    for key, years in FIGURES.items():
        for year, months in years.items():
            for month, (output, power, revenue, taxes, profit) in enumerate(months, start=1):
                values = {
                    "output_value": output,
                    "revenue": revenue,
                    "taxes": taxes,
                    "total_profit": profit,
                }
                if power is not None:
                    values["electricity"] = power
                report(firms[key], users["admin"], year, month, **values)
    return SmallZone(zone=zone, park=park, firms=firms, users=users)
