from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "techtransfer.challenges"
    label = "challenges"
    verbose_name = _("R&D challenges")

    def ready(self) -> None:
        # What this app brings to the layers below: its workflows, audit labels and moderation queue.
        from techtransfer.accounts.permissions import is_moderator
        from techtransfer.challenges import selectors, workflows  # noqa: F401  (registers the workflows)
        from techtransfer.core.audit import register_action_labels
        from techtransfer.core.workbench import Queue, register_queue

        register_action_labels(
            {
                "challenge.create": _("created the challenge"),
                "challenge.update": _("edited the challenge"),
                "proposal.create": _("started a proposal"),
                "proposal.update": _("edited a proposal"),
                "question.ask": _("asked a question"),
                "question.answer": _("answered a question"),
            }
        )
        register_queue(
            Queue(
                key="challenges_to_moderate",
                label=_("Challenges to moderate"),
                url_name="challenges:review_queue",
                works=is_moderator,
                count=lambda user: selectors.challenge_review_queue(user=user).count(),
                order=30,
            )
        )
