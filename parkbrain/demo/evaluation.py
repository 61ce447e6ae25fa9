"""The demo zone's 亩均 evaluation: the shipped scheme for the last complete year, a few
parcels shared by two firms, agency figures (emissions for 规上 firms, tax and power for 规下
firms, which do not report monthly), a table of differentiated prices, and the evaluation
itself, computed and published for objection by the demo administrator, with one written
objection recorded."""

import math
import random
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from parkbrain.evaluation import services
from parkbrain.evaluation.choices import Grade, Measure, Resource, SubjectGroup
from parkbrain.evaluation.defaults import INDICATORS
from parkbrain.evaluation.models import AnnualFigure, LandParcel, ParcelOccupant, PolicyRate
from parkbrain.registry.models import AboveScaleYear, Zone

from .firms import Firm

SOURCE = "演示数据（虚构）"
# A written objection the zone office received and recorded, for the administrator to answer.
OBJECTION = (
    "%(year)d年度入库税款少计：当年12月一笔增值税留抵退税冲减了纳税额，"
    "附税务部门出具的完税证明，请复核亩均税收。（书面异议，管委会代为登记）"
)
SHARED_PARCELS = 3
# Tonnes of main pollutants per unit of the firm's latent size, by zone industry: materials
# plants emit most, digital firms least.
EMISSION_INTENSITY = {"materials": 3.5, "equipment": 1.0, "digital": 0.3, None: 1.5}
# Yuan per unit by grade (surcharge positive, rebate negative), in the spirit of Shandong's
# +0.05 to +0.15 yuan/kWh for restricted firms; Zhejiang's own rates are set by each county.
RATES = {
    (Grade.A, Resource.ELECTRICITY): Decimal("-0.02"),
    (Grade.C, Resource.ELECTRICITY): Decimal("0.05"),
    (Grade.D, Resource.ELECTRICITY): Decimal("0.10"),
    (Grade.C, Resource.WATER): Decimal("0.50"),
    (Grade.D, Resource.WATER): Decimal("1.00"),
    (Grade.D, Resource.NATURAL_GAS): Decimal("0.30"),
    (Grade.A, Resource.LAND): Decimal("-200"),
    (Grade.D, Resource.LAND): Decimal("600"),
}


def _benchmark(group: str, measure: str) -> Decimal:
    return next(row[2] for row in INDICATORS[group] if row[0] == measure)


def build_evaluation(zone: Zone, firms: list[Firm], rng: random.Random, as_of: date) -> int:
    """Write the evaluation inputs and run it for the last year whose reports are all in and
    reviewed; returns the year. In January last December's reports are still in review."""
    year = as_of.year - 1 if as_of.month > 1 else as_of.year - 2
    services.install_default_schemes(zone, year)
    above = set(
        AboveScaleYear.objects.filter(enterprise__zone=zone, year=year).values_list(
            "enterprise_id", flat=True
        )
    )
    industrial = sorted(
        (
            f
            for f in firms
            if f.size is not None
            and f.enterprise.in_business
            and f.enterprise.founded_on.year < year
        ),
        key=lambda f: f.enterprise.id,
    )
    _parcels(zone, industrial, above, rng)
    _figures(industrial, above, year, rng)
    PolicyRate.objects.bulk_create(
        PolicyRate(zone=zone, year=year, grade=g, resource=r, yuan_per_unit=v, source=SOURCE)
        for (g, r), v in RATES.items()
    )
    admin = get_user_model().objects.get(username="admin")
    run = services.compute_evaluation(zone, year, admin)
    services.publish_evaluation(run, admin)
    graded = run.results.filter(group=SubjectGroup.ABOVE_SCALE, rank__isnull=False)
    if (result := graded.order_by("-rank").first()) is not None:
        firm = result.members.order_by("enterprise_id").first().enterprise
        services.raise_objection(result, firm, OBJECTION % {"year": year}, admin)
    return year


def _parcels(zone: Zone, industrial: list[Firm], above: set[int], rng: random.Random) -> None:
    """A few 规上 firms share their parcel with a small 规下 neighbour in the same park."""
    small = [f for f in industrial if f.enterprise.id not in above and f.enterprise.land_area_mu]
    big = [f for f in industrial if f.enterprise.id in above and f.enterprise.land_area_mu]
    pairs, taken = [], set()
    for firm in rng.sample(big, min(SHARED_PARCELS, len(big))):
        neighbours = [
            s
            for s in small
            if s.enterprise.park_id == firm.enterprise.park_id and s.enterprise.id not in taken
        ]
        if neighbours:
            neighbour = rng.choice(neighbours)
            taken.add(neighbour.enterprise.id)
            pairs.append([firm, neighbour])
    for number, pair in enumerate(pairs, start=1):
        parcel = LandParcel.objects.create(
            zone=zone,
            code=f"DEMO-{number:03d}",
            area_mu=sum((f.enterprise.land_area_mu for f in pair), Decimal(0)),
            address=pair[0].enterprise.address or SOURCE,
        )
        ParcelOccupant.objects.bulk_create(
            ParcelOccupant(parcel=parcel, enterprise=f.enterprise) for f in pair
        )


def _figures(industrial: list[Firm], above: set[int], year: int, rng: random.Random) -> None:
    """Emissions for most 规上 firms (some have no monitoring data); tax and power for 规下
    firms with land, around the shipped benchmarks, a few not producing at all."""
    tax_per_mu = _benchmark(SubjectGroup.BELOW_SCALE, Measure.TAX_PER_MU) * 10_000
    tax_per_kwh = _benchmark(SubjectGroup.BELOW_SCALE, Measure.TAX_PER_KWH)
    rows = []
    for firm in industrial:
        enterprise = firm.enterprise
        if enterprise.id in above:
            if rng.random() < 0.12:
                continue  # no emission data: the firm gets the average points on that item
            industry = enterprise.industry.slug if enterprise.industry else None
            tonnes = firm.size * EMISSION_INTENSITY.get(industry, 1.5) * rng.lognormvariate(0, 0.5)
            rows.append(
                AnnualFigure(
                    enterprise=enterprise,
                    year=year,
                    emissions_tonnes=Decimal(str(round(tonnes, 4))),
                    source=f"{SOURCE}：生态环境局排污许可执行报告",
                )
            )
        elif enterprise.land_area_mu > 0 and rng.random() > 0.05:
            taxes = enterprise.land_area_mu * tax_per_mu * Decimal(math.exp(rng.gauss(-0.1, 0.6)))
            kwh = taxes / tax_per_kwh * Decimal(math.exp(rng.gauss(0, 0.5)))
            rows.append(
                AnnualFigure(
                    enterprise=enterprise,
                    year=year,
                    taxes_yuan=taxes.quantize(Decimal("0.01")),
                    electricity_kwh=kwh.quantize(Decimal(1)),
                    source=f"{SOURCE}：税务局实缴税金、供电公司用电量",
                )
            )
    AnnualFigure.objects.bulk_create(rows, batch_size=2000)
