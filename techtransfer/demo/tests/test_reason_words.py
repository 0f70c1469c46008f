"""The reasons of a match read as keywords over the whole demo corpus (issue 11): a property of
search.keywords.reason_words checked on every achievement against every demand the demo writes."""

from __future__ import annotations

import itertools
import re

from techtransfer.demo.content import content_load
from techtransfer.search.keywords import GENERIC, UNITS, is_number, reason_words
from techtransfer.search.segment import segment


def _latin_words(text: str) -> set[str]:
    return set(re.findall(r"[0-9A-Za-z][0-9A-Za-z\-]*[0-9A-Za-z]", text))


class TestReasonWords:
    def test_no_reason_is_a_number_a_unit_a_generic_word_or_a_fragment_over_the_demo_corpus(self) -> None:
        """Every achievement against every demand of the demo: each reason shown is written in the source as
        shown (a Chinese word inside its text, an English word whole, never a stem), and none is a number, a
        unit, one character or a generic word."""
        content = content_load()
        sources = [
            ("\n".join([a.texts["name"], *a.keywords, a.texts["summary"], a.texts.get("summary_en", "")]), a.keywords)
            for a in content.achievements
        ]
        targets = [f"{d.title}\n{d.description}" for d in content.demands]
        shown = 0
        for (source, keywords), target in itertools.product(sources, targets):
            target_terms = set(segment(target))
            shared = [t for t in dict.fromkeys(segment(source)) if t in target_terms]
            vocabulary = {t for k in keywords for t in segment(k)}
            for word in reason_words(shared, source, vocabulary=vocabulary):
                shown += 1
                assert len(word) >= 2 and not is_number(word), word
                assert word.lower() not in UNITS and word.lower() not in GENERIC, word
                if word.isascii():
                    assert word in _latin_words(source), f"{word!r} is not a word of the source"
                else:
                    assert word in source, f"{word!r} is not in the source"
        assert shown > 50  # the property was checked on real reasons, not on an empty list
