"""The shipped example scheme: Huangyan (Taizhou) 2022 data, the one worked example with
published benchmarks. A zone copies it for a year and then sets its own figures."""

from decimal import Decimal

from .choices import Measure, SubjectGroup, WhenMissing

SOURCE = (
    "参照台州市黄岩区2022年度工业企业亩均效益综合评价（chacewang news430850）；"
    "开发区请按当年办法修订"
)

# measure, weight, benchmark, unit, when the figure is missing
INDICATORS = {
    SubjectGroup.ABOVE_SCALE: [
        (Measure.TAX_PER_MU, Decimal(30), Decimal("24.097"), "万元/亩", WhenMissing.ZERO),
        (Measure.VALUE_ADDED_PER_MU, Decimal(20), Decimal("136.16"), "万元/亩", WhenMissing.ZERO),
        (
            Measure.VALUE_ADDED_PER_TCE,
            Decimal(20),
            Decimal("2.694"),
            "万元/吨标准煤",
            WhenMissing.ZERO,
        ),
        # Huangyan: a firm without emission data gets the average points on this item.
        (
            Measure.VALUE_ADDED_PER_EMISSION,
            Decimal(10),
            Decimal("4929.81"),
            "万元/吨",
            WhenMissing.AVERAGE,
        ),
        (Measure.LABOUR_PRODUCTIVITY, Decimal(10), Decimal("18.14"), "万元/人", WhenMissing.ZERO),
        (Measure.RD_INTENSITY, Decimal(10), Decimal("0.0302"), "比值", WhenMissing.ZERO),
    ],
    SubjectGroup.BELOW_SCALE: [
        (Measure.TAX_PER_MU, Decimal(50), Decimal("11.5932"), "万元/亩", WhenMissing.ZERO),
        (Measure.TAX_PER_KWH, Decimal(50), Decimal("0.2352"), "元/千瓦时", WhenMissing.ZERO),
    ],
}
MIN_LAND_MU = {SubjectGroup.ABOVE_SCALE: Decimal(0), SubjectGroup.BELOW_SCALE: Decimal(3)}
