"""Word segmentation for mixed Chinese and English text, shared by indexing and querying.

Chinese runs are cut by jieba in its search mode, which emits both a long word and its parts
("诊断系统" gives 诊断, 系统 and 诊断系统), so a query phrased differently from a title still meets it on
the shorter words. Other runs of letters and digits are lowercased and, when they are plain English,
reduced by a light suffix stemmer ("nodules" and "nodule" both become "nodul"). Documents and queries go
through the same function, so whatever it does, both sides agree.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import rjieba

# Han ideographs (basic block, extension A, compatibility, and the supplementary planes).
HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_NOT_HAN = re.compile(rf"[^{HAN_RANGES}]+")
_WORD = re.compile(rf"[^\W_{HAN_RANGES}]+")
_ASCII_WORD = re.compile(r"[a-z]+")
_VOWELS = set("aeiouy")

# Function words only. Domain words that look generic (方法, 系统, 装置, 研究) stay searchable: in patent
# titles they tell a method from a device, and bm25 already gives frequent words little weight.
STOP_WORDS = frozenset(
    """
    的 了 和 与 及 及其 以及 或 或者 等 等等 之 其 其中 在 是 为 以 于 对 对于 并 并且 而 由 从 将 被 把 向
    这 那 这种 该 本 所 所述 其他 一种 一个 一类 一套 基于 通过 用于 关于 具有 进行 以上 以下 中 上 下
    a an and are as at be been but by for from has have in into is it its of on or that the their this
    these those to via was were which with within without
    """.split()
)

STOP_PHRASES_FILE = Path(__file__).resolve().parent / "data" / "stop_phrases.txt"


@functools.cache
def _stop_phrases() -> re.Pattern[str] | None:
    lines = STOP_PHRASES_FILE.read_text(encoding="utf-8").splitlines()
    phrases = sorted(
        {line.strip() for line in lines if line.strip() and not line.startswith("#")}, key=len, reverse=True
    )
    return re.compile("|".join(map(re.escape, phrases))) if phrases else None


def without_stop_phrases(text: str) -> str:
    """`text` without the stock phrases of forms and reports (data/stop_phrases.txt: 详见附件, 填补了国内空白…),
    which would otherwise match searches about 材料 or 应用 and fill snippets; a sentence left empty goes too."""
    pattern = _stop_phrases()
    if not text or pattern is None:
        return text or ""
    stripped = pattern.sub("", text)
    if stripped == text:
        return text
    # "。已按审核意见补充相关材料。" leaves "。。": drop the empty sentence, keep the text's own punctuation.
    return re.sub(r"([。；;！!？?，,])(?:\s*[。；;！!？?，,])+", r"\1", stripped).strip(" ，,；;")


# Longest query accepted and most terms used from it: both bound the SQL a query can produce.
MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 24


def stem(word: str) -> str:
    """Reduce a lowercase English word to a light stem: plurals, -ed, -ing and a final -e go.

    Deliberately weaker than Porter: it only has to make inflected forms of the same word meet
    (image/images/imaging, detect/detected/detecting, nodule/nodules) without merging distinct words.
    """
    if len(word) <= 3 or not _ASCII_WORD.fullmatch(word):
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes", "zzes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3 and _VOWELS & set(base):
            word = base
            # running -> run, stopped -> stop; but keep ll/ss/zz (installed -> install)
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz" + "".join(_VOWELS):
                word = word[:-1]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


@functools.lru_cache(maxsize=20_000)
def _stem_cached(word: str) -> str:
    return stem(word)


def _normalise(text: str) -> str:
    # NFKC folds full-width letters and digits (ＣＴ, ５Ｇ) into their ASCII forms.
    return unicodedata.normalize("NFKC", text or "").lower()


def segment(text: str) -> list[str]:
    """The terms of `text`, with repeats (term frequency matters for ranking): Chinese words, then others.

    Lowercased; punctuation and stop words dropped; English words stemmed.
    """
    text = _normalise(text)
    # One jieba call for all Chinese runs of the text (it treats the spaces as boundaries), which is
    # several times faster than one call per run; word order does not matter to the index.
    han = _NOT_HAN.sub(" ", text)
    terms = (
        [word for word in rjieba.cut_for_search(han) if word != " " and word not in STOP_WORDS] if han.strip() else []
    )
    terms.extend(_stem_cached(word) for word in _WORD.findall(text) if word not in STOP_WORDS)
    return terms


def segment_joined(values: Iterable[str]) -> str:
    """The segmented terms of all `values`, space-joined: the form stored in the index columns."""
    return " ".join(term for value in values if value for term in segment(value))


def query_terms(query: str) -> list[str]:
    """The distinct terms of a search query, in the order typed."""
    seen: dict[str, None] = {}
    for term in segment(query[:MAX_QUERY_CHARS]):
        seen.setdefault(term, None)
    return list(seen)[:MAX_QUERY_TERMS]


def word_terms(word: str) -> str:
    """How one non-Chinese word of a text appears among the terms (used by the highlighter)."""
    return stem(_normalise(word))
