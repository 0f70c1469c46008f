"""Contact-request history onto the workflow core (core.models.StatusHistory): `request` → `record`,
`from/to_stage` → `from/to_state`, `note` → `reason`, and the step of every existing row. Every row is kept."""

from django.conf import settings
from django.db import migrations

from techtransfer.core.migration_support import fill_steps, noop, onto_status_history


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *onto_status_history(
            "contactstagechange",
            record_field="request",
            record_to="matchmaking.contactrequest",
            record_verbose_name="contact request",
            from_field="from_stage",
            to_field="to_stage",
            reason_field="note",
        ),
        migrations.RunPython(
            fill_steps(
                "matchmaking",
                "ContactStageChange",
                by_pair={("", "intent"): "open"},
                by_target={"negotiation": "advance", "signed": "sign", "abandoned": "abandon"},
            ),
            noop,
        ),
    ]
