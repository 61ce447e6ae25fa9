"""The indicator catalogue and GB/T 2589 coefficients as shipped; loaded by a migration and
edited afterwards in the admin. Codes are stable: files and API calls use them."""

from decimal import Decimal

# code, name, English name, unit, basis, aggregation, may be negative, derived, decimals, note
INDICATORS = [
    (
        "output_value",
        "工业总产值（当年价格）",
        "Industrial output value at current prices",
        "元",
        "cumulative",
        "sum",
        False,
        False,
        2,
        "",
    ),
    (
        "value_added",
        "工业增加值",
        "Industrial value added",
        "元",
        "cumulative",
        "sum",
        False,
        False,
        2,
        "",
    ),
    ("revenue", "营业收入", "Operating revenue", "元", "cumulative", "sum", False, False, 2, ""),
    (
        "total_profit",
        "利润总额",
        "Total profit",
        "元",
        "cumulative",
        "sum",
        True,
        False,
        2,
        "亏损填负数",
    ),
    ("taxes", "实缴税金", "Taxes paid", "元", "cumulative", "sum", False, False, 2, ""),
    ("electricity", "用电量", "Electricity", "千瓦时", "cumulative", "sum", False, False, 0, ""),
    (
        "natural_gas",
        "天然气消费量",
        "Natural gas",
        "立方米",
        "cumulative",
        "sum",
        False,
        False,
        0,
        "",
    ),
    ("coal", "原煤消费量", "Coal", "吨", "cumulative", "sum", False, False, 3, ""),
    (
        "other_energy",
        "其他能源（折标准煤）",
        "Other energy, as standard coal",
        "吨标准煤",
        "cumulative",
        "sum",
        False,
        False,
        3,
        "蒸汽、油品等按 GB/T 2589 折算后填报",
    ),
    (
        "energy_tce",
        "综合能源消费量",
        "Comprehensive energy consumption",
        "吨标准煤",
        "cumulative",
        "sum",
        False,
        True,
        3,
        "由用电、天然气、原煤和其他能源按 GB/T 2589 计算",
    ),
    ("water", "用水量", "Water", "立方米", "cumulative", "sum", False, False, 0, ""),
    (
        "employees",
        "从业人员平均人数",
        "Average employees",
        "人",
        "monthly",
        "average",
        False,
        False,
        0,
        "本月平均人数；累计为各月平均",
    ),
    (
        "rd_expenditure",
        "研发费用",
        "R&D expenditure",
        "元",
        "cumulative",
        "sum",
        False,
        False,
        2,
        "",
    ),
    (
        "investment",
        "工业投资（固定资产投资）",
        "Industrial (fixed-asset) investment",
        "元",
        "cumulative",
        "sum",
        False,
        False,
        2,
        "",
    ),
    (
        "foreign_investment",
        "实际使用外资",
        "Foreign investment actually used",
        "美元",
        "cumulative",
        "sum",
        False,
        False,
        2,
        "",
    ),
    (
        "export_value",
        "出口交货值",
        "Export delivery value",
        "元",
        "cumulative",
        "sum",
        False,
        False,
        2,
        "",
    ),
]

GBT2589 = "GB/T 2589-2020《综合能耗计算通则》"
EQUAL_VALUE_SOURCE = (
    "全国 6000 千瓦及以上火电厂供电标准煤耗（中电联年度快报）；参考值，请开发区按当年公布值核对修订"
)

# indicator, convention ("" = both), year (None = every year), kgce per unit, source
COEFFICIENTS = [
    ("electricity", "equivalent", None, Decimal("0.1229"), f"{GBT2589}：电力当量值 3600/29307.6"),
    ("electricity", "equal", 2021, Decimal("0.3025"), EQUAL_VALUE_SOURCE),
    ("electricity", "equal", 2022, Decimal("0.3007"), EQUAL_VALUE_SOURCE),
    ("electricity", "equal", 2023, Decimal("0.3020"), EQUAL_VALUE_SOURCE),
    ("electricity", "equal", 2024, Decimal("0.3010"), EQUAL_VALUE_SOURCE),
    ("electricity", "equal", 2025, Decimal("0.3000"), EQUAL_VALUE_SOURCE),
    (
        "natural_gas",
        "",
        None,
        Decimal("1.2143"),
        f"{GBT2589} 附录 A：天然气 1.1000–1.3300 kgce/m³，取常用值 1.2143",
    ),
    ("coal", "", None, Decimal("714.3"), f"{GBT2589} 附录 A：原煤 0.7143 kgce/kg"),
    ("other_energy", "", None, Decimal("1000"), "已折标准煤：1 吨标准煤 = 1000 kgce"),
]


def load(indicator_model, coefficient_model) -> None:
    indicators = {}
    for order, row in enumerate(INDICATORS):
        code, name, name_en, unit, basis, aggregation, negative, derived, decimals, note = row
        indicators[code] = indicator_model.objects.create(
            code=code,
            name=name,
            name_en=name_en,
            unit=unit,
            basis=basis,
            aggregation=aggregation,
            may_be_negative=negative,
            derived=derived,
            decimal_places=decimals,
            sort_order=order,
            description=note,
        )
    coefficient_model.objects.bulk_create(
        coefficient_model(
            indicator=indicators[code],
            convention=convention,
            year=year,
            kgce_per_unit=factor,
            source=source,
        )
        for code, convention, year, factor, source in COEFFICIENTS
    )
