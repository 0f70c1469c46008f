"""Signals of the achievements app, for the apps above it (it names none of them)."""

from django.dispatch import Signal

# Sent by the reindex job after one achievement's search document was rewritten (achievement_id=...): the
# people and the unit named on it are matched by what they published, so the matching engine re-profiles them.
achievement_reindexed = Signal()
