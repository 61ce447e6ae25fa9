"""Reference data every zone shares: the GB/T 4754-2017 code table and the enterprise tags.

Loaded by migration 0002; the functions take the model classes so the migration can pass its
historical models and tests their current ones.
"""

import csv
from pathlib import Path

CODE_TABLE = Path(__file__).resolve().parent / "data" / "gbt4754_2017.csv"
TAGS = [
    ("high-tech", "高新技术企业", "High-tech enterprise", 1),
    ("little-giant", "专精特新“小巨人”企业", "Specialised and innovative little giant", 2),
    ("srdi-sme", "专精特新中小企业", "Specialised and innovative SME", 3),
    ("innovative-sme", "创新型中小企业", "Innovative SME", 4),
    ("tech-sme", "科技型中小企业", "Technology-based SME", 5),
]
LEVELS = ("section", "division", "group", "class")


def load_industry_codes(industry_code_model) -> int:
    """Insert the code table, parents before children; returns the number of codes."""
    with CODE_TABLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    ids: dict[str, int] = {}
    for level in LEVELS:
        industry_code_model.objects.bulk_create(
            [
                industry_code_model(
                    code=row["code"],
                    name=row["name"],
                    level=level,
                    parent_id=ids.get(row["parent"]),
                )
                for row in rows
                if row["level"] == level
            ]
        )
        # Not every database returns ids from bulk_create, so read them back.
        ids.update(industry_code_model.objects.filter(level=level).values_list("code", "id"))
    return len(rows)


def load_tags(tag_model) -> None:
    tag_model.objects.bulk_create(
        [tag_model(slug=s, name=n, name_en=e, sort_order=o) for s, n, e, o in TAGS]
    )
