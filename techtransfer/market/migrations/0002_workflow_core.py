"""Demand history onto the workflow core (core.models.StatusHistory), naming the step of every existing row.
Every row is kept."""

from django.conf import settings
from django.db import migrations

from techtransfer.core.migration_support import fill_steps, noop, onto_status_history


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *onto_status_history(
            "demandstatuschange", record_field="demand", record_to="market.technologydemand", record_verbose_name="demand"
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
