"""The kinds of document the matching engine adds to the search index: expert and organisation profiles."""

from django.utils.translation import gettext_lazy

from techtransfer.matching.profiles import EXPERT, ORGANISATION, experts_reindex_all, organisations_reindex_all
from techtransfer.search.registry import register_indexer

register_indexer(EXPERT, experts_reindex_all, label=gettext_lazy("Expert profiles"))
register_indexer(ORGANISATION, organisations_reindex_all, label=gettext_lazy("Organisation profiles"))
