"""Loads the GB/T 4754-2017 code table and the standard enterprise tags."""

from django.db import migrations

from parkbrain.registry.reference import LEVELS, TAGS, load_industry_codes, load_tags


def load(apps, schema_editor):
    load_industry_codes(apps.get_model("registry", "IndustryCode"))
    load_tags(apps.get_model("registry", "Tag"))


def unload(apps, schema_editor):
    apps.get_model("registry", "Tag").objects.filter(slug__in=[t[0] for t in TAGS]).delete()
    codes = apps.get_model("registry", "IndustryCode").objects
    for level in reversed(LEVELS):  # children first: a parent is protected while it has any
        codes.filter(level=level).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
