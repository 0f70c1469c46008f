"""Signals of the market app, for the apps above it (it names none of them)."""

from django.dispatch import Signal

# Sent by the reindex job after one demand's search document was rewritten (demand_id=..., owner_id=...):
# enterprises are matched by the demands they publish, so the matching engine re-profiles the owner.
demand_reindexed = Signal()
