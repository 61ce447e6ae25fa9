"""Loads the GB/T 4754-2017 code table and the standard enterprise tags."""

import csv
from pathlib import Path

from django.db import migrations

CODE_TABLE = Path(__file__).resolve().parent.parent / "data" / "gbt4754_2017.csv"
TAGS = [
    ("high-tech", "高新技术企业", "High-tech enterprise", 1),
    ("little-giant", "专精特新“小巨人”企业", "Specialised and innovative little giant", 2),
    ("srdi-sme", "专精特新中小企业", "Specialised and innovative SME", 3),
    ("innovative-sme", "创新型中小企业", "Innovative SME", 4),
    ("tech-sme", "科技型中小企业", "Technology-based SME", 5),
]


def load(apps, schema_editor):
    IndustryCode = apps.get_model("registry", "IndustryCode")
    Tag = apps.get_model("registry", "Tag")
    with CODE_TABLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    ids: dict[str, int] = {}
    # Parents come before children: sections, divisions, groups, classes.
    for level in ("section", "division", "group", "class"):
        created = IndustryCode.objects.bulk_create(
            [
                IndustryCode(
                    code=row["code"],
                    name=row["name"],
                    level=level,
                    parent_id=ids.get(row["parent"]),
                )
                for row in rows
                if row["level"] == level
            ]
        )
        if not all(code.pk for code in created):
            created = IndustryCode.objects.filter(level=level)
        ids.update({code.code: code.pk for code in created})
    Tag.objects.bulk_create([Tag(slug=s, name=n, name_en=e, sort_order=o) for s, n, e, o in TAGS])


def unload(apps, schema_editor):
    apps.get_model("registry", "Tag").objects.filter(slug__in=[t[0] for t in TAGS]).delete()
    apps.get_model("registry", "IndustryCode").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
