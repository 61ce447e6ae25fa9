"""Loads the indicator catalogue and the GB/T 2589 coefficients."""

from django.db import migrations

from parkbrain.reporting.catalogue import load as load_catalogue


def load(apps, schema_editor):
    load_catalogue(
        apps.get_model("reporting", "Indicator"), apps.get_model("reporting", "EnergyCoefficient")
    )


def unload(apps, schema_editor):
    apps.get_model("reporting", "EnergyCoefficient").objects.all().delete()
    apps.get_model("reporting", "Indicator").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
