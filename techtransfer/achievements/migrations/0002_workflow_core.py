"""Achievement history onto the workflow core (core.models.StatusHistory), naming the step of every existing
row. Every row is kept."""

from django.conf import settings
from django.db import migrations

from techtransfer.core.migration_support import fill_steps, noop, onto_status_history


class Migration(migrations.Migration):
    dependencies = [
        ("achievements", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *onto_status_history(
            "statuschange",
            record_field="achievement",
            record_to="achievements.achievement",
            record_verbose_name="achievement",
        ),
        migrations.RunPython(
            fill_steps(
                "achievements",
                "StatusChange",
                by_pair={},
                by_target={
                    "submitted": "submit",
                    "returned": "return",
                    "registered": "register",
                    "published": "publish",
                    "withdrawn": "withdraw",
                },
            ),
            noop,
        ),
    ]
