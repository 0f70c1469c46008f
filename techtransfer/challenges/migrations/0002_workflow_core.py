"""Challenge and proposal histories onto the workflow core (core.models.StatusHistory), naming the step of
every existing row; the moment the sealed proposals opened. Every row is kept."""

from django.conf import settings
from django.db import migrations, models

from techtransfer.core.migration_support import fill_steps, noop, onto_status_history


def opened_at_deadline(apps, schema_editor):  # noqa: ANN001, ANN201
    """Challenges already closed or awarded opened their proposals at their deadline."""
    challenge = apps.get_model("challenges", "Challenge")
    for row in challenge.objects.filter(status__in=["closed", "awarded"], submission_deadline__isnull=False):
        row.proposals_opened_at = row.submission_deadline
        row.save(update_fields=["proposals_opened_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("challenges", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *onto_status_history(
            "challengestatuschange",
            record_field="challenge",
            record_to="challenges.challenge",
            record_verbose_name="challenge",
        ),
        *onto_status_history(
            "proposalstatuschange",
            record_field="proposal",
            record_to="challenges.proposal",
            record_verbose_name="proposal",
        ),
        migrations.AddField(
            model_name="challenge",
            name="proposals_opened_at",
            field=models.DateTimeField(
                blank=True,
                help_text="The proposals stay sealed until the submission deadline and open then, all at once.",
                null=True,
                verbose_name="proposals opened at",
            ),
        ),
        migrations.RunPython(
            fill_steps(
                "challenges",
                "ChallengeStatusChange",
                by_pair={("under_review", "draft"): "reject"},
                by_target={
                    "under_review": "submit",
                    "open": "approve",
                    "closed": "close",
                    "awarded": "award",
                    "cancelled": "cancel",
                },
            ),
            noop,
        ),
        migrations.RunPython(
            fill_steps(
                "challenges",
                "ProposalStatusChange",
                by_pair={},
                by_target={
                    "submitted": "submit",
                    "withdrawn": "withdraw",
                    "shortlisted": "shortlist",
                    "awarded": "award",
                    "not_selected": "not_select",
                },
            ),
            noop,
        ),
        migrations.RunPython(opened_at_deadline, noop),
    ]
