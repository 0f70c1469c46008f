"""Marking the words of a query in a text, for result lists: escaped HTML with <mark> around matches."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from techtransfer.search.segment import HAN_RANGES, without_stop_phrases, word_terms

_HAN_CHAR = re.compile(f"[{HAN_RANGES}]")
_WORD = f"[^\\W_{HAN_RANGES}]+"
ELLIPSIS = "…"


def _pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    # Chinese terms are found as substrings (longest first, so 诊断系统 wins over 诊断); other words are
    # whole words compared by their stem, so "nodul" marks "Nodules" but not "nodular".
    if not terms:
        return None
    han = sorted({t for t in terms if _HAN_CHAR.search(t)}, key=len, reverse=True)
    alternatives = [f"(?P<han>{'|'.join(map(re.escape, han))})"] if han else []
    alternatives.append(f"(?P<word>{_WORD})")
    return re.compile("|".join(alternatives))


def match_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Where the terms occur in `text`: (start, end) pairs in order, adjacent ones merged."""
    pattern = _pattern(terms)
    if pattern is None or not text:
        return []
    words = {t for t in terms if not _HAN_CHAR.search(t)}
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(text):
        if match.lastgroup == "word" and word_terms(match.group()) not in words:
            continue
        start, end = match.span()
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _window(text: str, spans: list[tuple[int, int]], max_len: int) -> tuple[int, int]:
    """A stretch of at most `max_len` characters, starting a little before the first match."""
    first = spans[0][0] if spans else 0
    start = max(0, min(first - max_len // 4, len(text) - max_len))
    if 0 < start and text[start - 1].isalnum() and text[start].isalnum():
        # Do not begin inside an English word: move to the next space if it is near.
        space = text.find(" ", start, min(first, start + 20))
        if space != -1:
            start = space + 1
    return start, min(len(text), start + max_len)


def highlight(text: str, terms: Sequence[str], max_len: int | None = None) -> SafeString:
    """`text` HTML-escaped, with each occurrence of a term wrapped in <mark>.

    With `max_len`, only a snippet of that many characters around the first match is kept (the start of
    the text when nothing matches), with an ellipsis where text was cut, and without the stock phrases of
    forms (详见附件…), which would fill a snippet and say nothing.
    """
    text = text or ""
    if max_len is not None:
        text = without_stop_phrases(text)
    spans = match_spans(text, terms)
    start, end = 0, len(text)
    if max_len is not None and len(text) > max_len:
        start, end = _window(text, spans, max_len)
    parts = [ELLIPSIS] if start > 0 else []
    position = start
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_start >= span_end:
            continue
        parts.append(escape(text[position:span_start]))
        parts.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append(ELLIPSIS)
    return mark_safe("".join(parts))  # safe: every piece of the text above went through escape()
