"""Which shared terms a person would call keywords: the words shown as the reasons of a match.

The index's terms are made for finding things, not for showing them: jieba's search mode cuts 平方米 into
平方 and 平方米, numbers and units are terms, English words are stems ("coverag"), and verbs such as 提升 are
as frequent as nouns. A reason word is instead a noun phrase of the source text as jieba's tagger reads it
(or a part of one, such as 电池 of 锂电池), or an English word as written, never a number, a unit, a single
character or a stem, and not one of the generic words every record uses.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Sequence

import rjieba

from techtransfer.search.segment import HAN_RANGES, STOP_WORDS, stem

# Units of measure and counting words, as jieba cuts them ("c" is what is left of ℃ after NFKC).
UNITS = frozenset(
    """
    平方 平方米 平米 立方 立方米 米 毫米 厘米 微米 纳米 公里 千米 英里 吨 万吨 千克 公斤 克 毫克 微克 升 毫升 小时 分钟
    秒 毫秒 天 周 月 年 年度 度 摄氏度 瓦 千瓦 兆瓦 瓦时 千瓦时 伏 千伏 安 毫安 赫兹 兆赫 千赫 倍 元 万元 亿元 美元
    个 台 套 项 次 例 件 家 人 名 位 批 条 篇 份 亩 公顷 百分点 mah mw kw kwh wh gw gwh mm cm km kg mg ml nm um
    hz khz mhz ghz db dbm mpa kpa pa ppm ppb rpm bit bps mbps gbps tb gb mb kb c v w a h s min ms
    """.split()
)
# Words that appear in records of every subject: true of the record, but no reason to connect two of them.
GENERIC = frozenset(
    """
    提升 提高 降低 实现 研究 开发 研制 技术 方法 系统 装置 设备 产品 应用 工艺 平台 项目 成果 需求 企业 公司 单位 问题
    方案 国内 国际 领域 行业 水平 能力 效率 成本 质量 性能 服务 管理 建设 推广 合作 基础 关键 核心 重点 新型 一种
    以上 以下 左右 相关 主要 进行 开展 形成 建立 完成 达到 具有 包括 采用 利用 通过 可以 能够 目前 现有 传统 我国
    北京 北京市 中国 全国 本市 市场 示范 试点 工作 情况 结果 数据 信息 内容 过程 模式 体系 机制 标准 要求 目标 指标
    end use used using based new high low large small method system device result results study research data
    model approach application applications
    """.split()
)
_HAN = re.compile(f"[{HAN_RANGES}]")
# A number, or a number with its unit (10mm, 3.5kw); 5G is a word, not a number.
_NUMBER = re.compile(r"\d+(?:\.\d+)?([a-z%]*)")
_LATIN_WORD = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-]*[0-9A-Za-z]")
# jieba's tags of nouns and noun-like words: n (noun), nz (other proper noun), nt (organisation), nl, ng,
# vn (verbal noun: 检测, 诊断 as in 早期诊断), an (adjectival noun), eng (a Latin word).
NOUN_TAGS = frozenset({"n", "nz", "nt", "nl", "ng", "vn", "an", "eng", "nr", "ns", "nrt"})
MAX_TAGGED_CHARS = 4000


@functools.lru_cache(maxsize=256)
def noun_phrases(text: str) -> frozenset[str]:
    """The nouns and noun-like words of `text` as jieba's tagger reads it (lowercased, NFKC)."""
    text = unicodedata.normalize("NFKC", text or "")[:MAX_TAGGED_CHARS].lower()
    return frozenset(word for word, tag in rjieba.tag(text) if tag in NOUN_TAGS and word.strip())


def _surface_words(text: str) -> dict[str, str]:
    """Index term of a Latin word (lowercase stem) → the word as written in `text` (first occurrence)."""
    words: dict[str, str] = {}
    for word in _LATIN_WORD.findall(unicodedata.normalize("NFKC", text or "")):
        words.setdefault(stem(word.lower()), word)
    return words


def is_number(word: str) -> bool:
    match = _NUMBER.fullmatch(word.lower())
    return match is not None and (not match.group(1) or match.group(1) in UNITS)


def is_noise(word: str) -> bool:
    """A number, a unit, a single character, a stop word or a generic word: never shown as a reason. A
    two-letter Latin word counts only as written in capitals or with a digit (CT, AI, 5G), as acronyms are."""
    lower = word.lower()
    return (
        len(word) < 2
        or is_number(word)
        or lower in UNITS
        or lower in STOP_WORDS
        or lower in GENERIC
        or (not _HAN.search(word) and len(word) == 2 and word.islower())
    )


def reason_words(
    terms: Sequence[str], source_text: str, *, vocabulary: Collection[str] = (), limit: int = 8
) -> list[str]:
    """The terms of `terms` (index terms shared by two records, most telling first) that read as keywords
    of `source_text`, as a person would write them; a term already inside a longer one shown is left out.
    `vocabulary`: terms known to be keywords whatever their part of speech (the records' own keywords, such
    as 涂布, which the tagger reads as a verb)."""
    nouns = noun_phrases(source_text)
    surface = _surface_words(source_text)
    words: list[str] = []
    for term in terms:
        if _HAN.search(term):
            word = term
            noun = word in nouns or any(word in noun for noun in nouns if len(noun) > len(word))
            if not (noun or word in vocabulary):
                continue
        else:
            word = surface.get(term, "")  # the stem "coverag" is shown as "coverage", or not at all
        if not word or is_noise(word) or word in words:
            continue
        words.append(word)
    # jieba's search mode gives a word and its parts (锂电池, 电池, 锂电): keep the longest.
    kept = [w for w in words if not any(w != other and w in other for other in words)]
    return kept[:limit]
