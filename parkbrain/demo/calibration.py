"""The public figures the demo zone is calibrated to, with where each comes from.

The seed article (2024) reports the zone's 2023 figures; a later public report gives 277
enterprises above designated size in 2025. Everything else in the demo is fictional.
This module is the only place these figures live: pages and computations count rows.
"""

from decimal import Decimal

ARTICLE_YEAR = 2023

CITY_NAME = "桐乡市"
CITY_DIVISION_CODE = "330483"  # GB/T 2260: Zhejiang 33, Jiaxing 04, county-level city 83
CITY_AREA_KM2 = Decimal("727")
CITY_POPULATION = {
    2021: 1_021_000,
    2022: 1_026_000,
    2023: 1_030_000,
    2024: 1_034_000,
    2025: 1_038_000,
}

# "这片占据桐乡市面积12%的土地，凭借全市12%的人口"
ZONE_LAND_SHARE = Decimal("0.12")
ZONE_POPULATION_SHARE = Decimal("0.12")

# "入驻经营主体超1.4万家"
MARKET_ENTITIES_AT_LEAST = 14_000

# "规模以上工业企业262家" (2023); 277 in 2025 from a later public report; other years invented.
ABOVE_SCALE_FIRMS = {2021: 238, 2022: 251, 2023: 262, 2024: 270, 2025: 277, 2026: 284}

# "年度规上工业总产值超1313亿元 … 创造了桐乡市1/3的工业产值、40%的工业投资、50%的外资"
ZONE_OUTPUT_YUAN_2023 = Decimal("131_300_000_000")
ZONE_OUTPUT_SHARE = Decimal(1) / Decimal(3)
ZONE_INVESTMENT_SHARE = Decimal("0.40")
ZONE_FOREIGN_INVESTMENT_SHARE = Decimal("0.50")

# The city's own totals (invented, growing by year) against which the zone's shares are taken:
# 2023 output is the zone's output divided by its share.
CITY_OUTPUT_GROWTH = {
    2021: Decimal("0.872"),
    2022: Decimal("0.938"),
    2023: Decimal(1),
    2024: Decimal("1.061"),
    2025: Decimal("1.118"),
}
CITY_INDUSTRIAL_INVESTMENT_YUAN = {
    2021: 21_400_000_000,
    2022: 23_900_000_000,
    2023: 26_000_000_000,
    2024: 27_300_000_000,
    2025: 28_100_000_000,
}
CITY_FOREIGN_INVESTMENT_USD = {
    2021: 612_000_000,
    2022: 688_000_000,
    2023: 760_000_000,
    2024: 705_000_000,
    2025: 731_000_000,
}

# "数字经济双创新中心入驻企业总产值达到26.1亿元" (2023)
DIGITAL_CENTRE_OUTPUT_YUAN_2023 = Decimal("2_610_000_000")

ZONE_NAME = "桐乡经济开发区（演示）"
ZONE_SHORT_NAME = "桐乡经开区"

# 一区四园五中心: the article's public names; areas and populations are invented so that the
# parks add up to the zone's shares of the city.
PARKS = [
    # name, km², residents, focus, centre of the outline (lon, lat)
    (
        "前沿材料高端产业生态园",
        Decimal("28.60"),
        31_000,
        "玻纤复合材料、高性能纤维、新能源材料",
        (120.585, 30.668),
    ),
    (
        "智能装备产业园",
        Decimal("24.10"),
        35_200,
        "汽车零部件、智能装备、精密传动",
        (120.645, 30.638),
    ),
    ("高铁产业新城", Decimal("19.74"), 41_900, "数字经济、总部经济、现代服务", (120.598, 30.590)),
    (
        "高桥农业科技产业园",
        Decimal("14.80"),
        15_500,
        "农业科技、食品加工、传统产业焕新",
        (120.527, 30.622),
    ),
]
CENTRES = [
    # name, park it lies in, mu, residents, focus, offset from the park centre (east, north, m)
    (
        "新能源汽车智造中心",
        "智能装备产业园",
        Decimal("3200"),
        2_600,
        "新能源整车及关键零部件",
        (-1000, -800),
    ),
    (
        "数字经济双创新中心",
        "高铁产业新城",
        Decimal("186"),
        1_200,
        "人工智能、软件与信息服务、总部经济",
        (-1000, -300),
    ),
    (
        "湾谷健康医疗创业中心",
        "高铁产业新城",
        Decimal("128"),
        600,
        "生物医药、医疗器械",
        (900, -1000),
    ),
    (
        "桐乡科创中心",
        "前沿材料高端产业生态园",
        Decimal("152"),
        900,
        "科技研发、成果转化、孵化",
        (1200, -1300),
    ),
    (
        "视觉物联创新中心",
        "智能装备产业园",
        Decimal("220"),
        700,
        "机器视觉、物联网、智能传感",
        (1200, 1000),
    ),
]

# The "3+1" industries and the GB/T 4754-2017 codes each covers.
INDUSTRIES = [
    (
        "equipment",
        "高端装备制造业",
        "High-end equipment (auto parts first)",
        ["34", "35", "36", "37", "38", "40"],
    ),
    ("materials", "前沿材料产业", "Frontier materials", ["26", "28", "29", "30", "32"]),
    ("digital", "数字经济产业", "Digital economy", ["39", "63", "64", "65"]),
    ("services", "现代服务业", "Modern services", ["51", "G", "J", "L", "M"]),
]
