"""Full-text search with Chinese word segmentation and facets, for any kind of object.

    segment.py      text -> terms (jieba search mode for Chinese, light stemming for English)
    models.py       SearchDocument: one row per object (text, segmented terms, facet codes)
    backends/       SQLite FTS5 + bm25, or PostgreSQL tsvector + ts_rank_cd, chosen by the database
    api.py          index_document(s), remove_document, search -> SearchResult, highlight
    registry.py     which kinds exist and how to rebuild each (rebuild_search_index)

An app describes its objects as api.Document in its own search.py (see achievements/search.py) and
re-indexes them after commit; nothing here knows about achievements.
"""
