import django.db.models.deletion
from django.db import migrations, models


def executing_tokens(apps, schema_editor) -> None:
    """A recall a token executed: the token its marking capture job records."""
    Recall = apps.get_model("trace", "Recall")
    for recall in Recall.objects.filter(
        executed_at__isnull=False, executed_by__isnull=True, capture_job__token__isnull=False
    ).select_related("capture_job"):
        recall.executed_by_token_id = recall.capture_job.token_id
        recall.save(update_fields=["executed_by_token"])


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_assignment_until_and_upper_case_codes"),
        ("trace", "0008_event_declared_id_partial_index"),
    ]

    operations = [
        # A recall a machine created or executed kept no creator (created_by is a person).
        migrations.AddField(
            model_name="recall",
            name="created_by_token",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="registry.apitoken",
                verbose_name="created by API token",
            ),
        ),
        migrations.AddField(
            model_name="recall",
            name="executed_by_token",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="registry.apitoken",
                verbose_name="executed by API token",
            ),
        ),
        migrations.RunPython(executing_tokens, migrations.RunPython.noop),
    ]
