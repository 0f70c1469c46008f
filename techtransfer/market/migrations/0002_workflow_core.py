"""Demand history onto the workflow core: `demand` → `record`, `from/to_status` → `from/to_state`, and the
name of the step each existing row records. Every row is kept."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from techtransfer.core.migration_support import fill_steps, noop


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("demandstatuschange", "demand", "record"),
        migrations.RenameField("demandstatuschange", "from_status", "from_state"),
        migrations.RenameField("demandstatuschange", "to_status", "to_state"),
        migrations.AlterField(
            "demandstatuschange", "from_state", models.CharField(blank=True, max_length=32, verbose_name="from")
        ),
        migrations.AlterField("demandstatuschange", "to_state", models.CharField(max_length=32, verbose_name="to")),
        migrations.AlterField(
            "demandstatuschange", "at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")
        ),
        migrations.AlterField(
            "demandstatuschange",
            "by",
            models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="by",
            ),
        ),
        migrations.AddField(
            "demandstatuschange", "step", models.CharField(blank=True, max_length=32, verbose_name="step")
        ),
        migrations.RunPython(
            fill_steps(
                "market",
                "DemandStatusChange",
                by_pair={("under_review", "draft"): "reject"},
                by_target={
                    "under_review": "submit",
                    "published": "approve",
                    "matched": "mark_matched",
                    "closed": "close",
                    "expired": "expire",
                },
            ),
            noop,
        ),
    ]
