"""Search and matching that users can trust (issue 11): reasons that read as keywords, exact region reasons,
the relevance floor, stock phrases kept out of the index and the snippets, and the search page's fallback
from every word to some words to meaning, said on the page and in the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from techtransfer.achievements import services as achievement_services
from techtransfer.core.regions import region_relation
from techtransfer.matching import store
from techtransfer.matching.engine import EMBEDDER_DEFAULTS, Source, match, semantic_search, source_for_document
from techtransfer.matching.indexing import embed_pending
from techtransfer.matching.selectors import MatchResult
from techtransfer.search import api as search_api
from techtransfer.search import engine_tantivy
from techtransfer.search.highlight import highlight
from techtransfer.search.keywords import reason_words
from techtransfer.search.segment import segment
from techtransfer.search.tasks import engine_sync
from techtransfer.testing import Personas, make_achievement

# Four records of two kinds (fuse cosines, measured: slicing–5G private network .51, slicing–Alzheimer .09).
SLICING = search_api.Document(
    kind="achievement",
    object_id=901,
    title="面向工业互联网的5G网络切片资源调度方法",
    keywords=["5G", "网络切片", "工业互联网"],
    body="提出按业务等级动态分配无线与核心网资源的切片调度算法，时延降低40%，覆盖面积10平方米。",
    district="110108",
    is_public=True,
)
BATTERY = search_api.Document(
    kind="achievement",
    object_id=902,
    title="钠离子电池正极材料及吨级制备",
    keywords=["钠离子电池", "正极材料"],
    body="以铜铁锰为过渡金属，制备层状氧化物正极材料，比容量135mAh/g，循环3000次容量保持率80%。"
    "已按审核意见补充相关材料。具有广阔的应用前景。",
    district="110115",
    is_public=True,
)
PRIVATE_5G = search_api.Document(
    kind="demand",
    object_id=903,
    title="工厂5G专网低时延控制需求",
    keywords=["5G专网", "低时延", "工业控制"],
    body="需要在车间部署5G专网，实现机械臂远程控制端到端时延小于10毫秒。",
    district="110115",
    is_public=True,
)
ALZHEIMER = search_api.Document(
    kind="demand",
    object_id=904,
    title="阿尔茨海默病早期诊断药物筛选需求",
    keywords=["阿尔茨海默病", "药物筛选", "神经退行性疾病"],
    body="寻求针对β淀粉样蛋白聚集的小分子先导化合物筛选合作，要求提供细胞与动物模型数据。",
    district="110108",
    is_public=True,
)

# The demo's sodium-ion record and a VOC-treatment demand: they share only the generic 氧化.
LAYERED_OXIDE = search_api.Document(
    kind="achievement",
    object_id=906,
    title="钠离子电池铜铁锰基层状氧化物正极材料及吨级制备",
    keywords=["钠离子电池", "层状氧化物", "正极材料"],
    body="以铜铁锰为过渡金属，制备层状氧化物正极材料，比容量135mAh/g，循环3000次容量保持率80%。",
    district="110115",
    is_public=True,
)
VOC = search_api.Document(
    kind="demand",
    object_id=905,
    title="印刷包装企业低浓度大风量VOCs治理技术",
    keywords=["VOCs治理", "催化燃烧"],
    body="印刷车间排放低浓度大风量废气，寻求吸附浓缩与催化氧化组合工艺，排放浓度低于国家标准。",
    district="110105",
    is_public=True,
)

BATTERY_FORM = {
    "name": "锂离子电池极片涂布厚度激光在线测量装置",
    "summary": "采用激光三角测量，在线、非接触测量锂电池极片涂布厚度，精度±0.8微米。",
    "keywords": ["锂电池", "涂布", "在线检测"],
}


@pytest.fixture(autouse=True)
def _fresh_store() -> Iterator[None]:
    store.clear_cache()
    yield
    store.clear_cache()


@pytest.fixture
def indexed(db: None) -> None:
    search_api.index_documents([SLICING, BATTERY, PRIVATE_5G, ALZHEIMER])


def _latin_words(text: str) -> set[str]:
    return set(re.findall(r"[0-9A-Za-z][0-9A-Za-z\-]*[0-9A-Za-z]", text))


class TestReasonWords:
    def test_the_noise_users_saw_is_never_a_reason(self) -> None:
        text = "基站覆盖提升到95%，耐温120℃，面积10平方米。Coverage improves at the end of 1 year."
        terms = list(dict.fromkeys(segment(text)))
        assert {"coverag", "end", "10", "平方", "c", "1", "提升"} <= set(terms)  # what the index holds
        words = reason_words(terms, text)
        assert not {"coverag", "end", "10", "平方", "c", "1", "提升", "平方米"} & set(words)
        assert "Coverage" in words  # the English word as written, not its stem

    def test_a_keyword_of_the_record_counts_whatever_its_part_of_speech(self) -> None:
        text = "锂电池极片涂布厚度在线测量"
        assert "涂布" not in reason_words(["涂布"], text)  # jieba's tagger reads it as a verb
        assert reason_words(["涂布"], text, vocabulary={"涂布"}) == ["涂布"]


class TestRegionReasons:
    @pytest.mark.parametrize(
        ("a", "b", "shared"),
        [
            ("110108", "110108", ("district", "110108")),
            ("110108", "110115", ("city", "110000")),  # 海淀 and 大兴: Beijing, not the same district
            ("440106", "440104", ("city", "440100")),
            ("440106", "440304", ("province", "440000")),
            ("110108", "120101", ("", "")),
            ("", "110108", ("", "")),
        ],
    )
    def test_what_two_regions_share_is_said_exactly(self, a: str, b: str, shared: tuple[str, str]) -> None:
        assert region_relation(a, b) == shared

    def test_a_match_in_another_district_of_the_city_says_same_city(self, indexed: None) -> None:
        source = source_for_document("achievement", SLICING.object_id)
        assert source is not None and source.district == "110108"
        found = {m.object_id: m for m in match(source, kind="demand", semantic=False)}
        private_5g = found[PRIVATE_5G.object_id]
        assert (private_5g.region_shared, private_5g.region_code) == ("city", "110000")
        result = _result(region_shared="city", region_shared_label="北京市")
        assert "same city (北京市)" in result.reasons and not any("district" in r for r in result.reasons)


def _result(**values: object) -> MatchResult:
    defaults: dict[str, object] = {
        "kind": "demand",
        "object_id": 1,
        "title_html": "",
        "snippet_html": "",
        "url": "",
        "subtitle": "",
        "field_label": "",
        "region_label": "",
        "score": 1.0,
        "shared_terms": [],
        "same_field": False,
        "lexical_rank": 1,
        "semantic_score": None,
    }
    return MatchResult(**{**defaults, **values})  # type: ignore[arg-type]


class TestRelevanceFloor:
    @override_settings(MATCHING_EMBEDDER="fuse")
    def test_an_unrelated_record_is_folded_and_a_related_one_is_not(self, indexed: None) -> None:
        embed_pending()
        source = source_for_document("achievement", SLICING.object_id)
        assert source is not None
        found = {m.object_id: m for m in match(source, kind="demand")}
        assert not found[PRIVATE_5G.object_id].weak and "5G" in found[PRIVATE_5G.object_id].reason_words
        alzheimer = found[ALZHEIMER.object_id]  # a drug-screening demand for a network-slicing method
        assert alzheimer.weak and not alzheimer.reason_words and alzheimer.semantic_score < 0.40

    @override_settings(MATCHING_EMBEDDER="fuse")
    def test_one_generic_shared_word_is_not_enough_for_a_record_but_is_for_a_typed_query(self, db: None) -> None:
        search_api.index_documents([LAYERED_OXIDE, VOC])
        embed_pending()
        record = source_for_document("achievement", LAYERED_OXIDE.object_id)
        assert record is not None
        voc = {m.object_id: m for m in match(record, kind="demand")}[VOC.object_id]
        # The demo's sodium-ion cathode record listed a VOC-treatment demand on 氧化 alone.
        assert voc.reason_words == ["氧化"] and voc.semantic_score < 0.40 and voc.weak
        typed = {m.object_id: m for m in match(Source(text="废气"), kind="demand")}[VOC.object_id]
        assert typed.reason_words == ["废气"] and not typed.weak  # the visitor chose the word

    def test_the_panel_folds_weaker_matches(self, indexed: None) -> None:
        from techtransfer.matching.selectors import MatchGroup

        group = MatchGroup("demand", "Demands", [_result(object_id=1), _result(object_id=2, weak=True)])
        assert [r.object_id for r in group.strong] == [1] and [r.object_id for r in group.weak] == [2]


class TestStockPhrases:
    def test_stock_phrases_are_not_indexed_and_never_in_a_snippet(self, indexed: None) -> None:
        assert search_api.search("审核意见", kind="achievement").total == 0
        assert search_api.search("应用前景", kind="achievement").total == 0
        snippet = highlight(BATTERY.body, ["材料"], max_len=160)
        assert "审核意见" not in snippet and "应用前景" not in snippet and "<mark>材料</mark>" in snippet


class TestSearchFallback:
    @pytest.mark.parametrize("engine", ["database", "tantivy"])
    def test_every_word_first_then_some_words_said_as_such(
        self, indexed: None, engine: str, settings: Any, tmp_path: Any
    ) -> None:
        settings.SEARCH_ENGINE, settings.SEARCH_INDEX_DIR = engine, tmp_path / "search-index"
        engine_tantivy.engine_reset()
        if engine == "tantivy":
            engine_sync()  # what the job does after index_documents when the engine is configured
        strict = search_api.search_with_fallback("钠离子电池 正极材料", kind="achievement")
        assert strict.mode == "all" and [h.object_id for h in strict.hits] == [BATTERY.object_id]
        partial = search_api.search_with_fallback("正极材料 网络切片 量子", kind="achievement")
        assert partial.mode == "any"
        assert {h.object_id for h in partial.hits} == {BATTERY.object_id, SLICING.object_id}

    @override_settings(MATCHING_EMBEDDER="fuse")
    def test_no_word_found_falls_back_on_meaning_above_the_floor(self, indexed: None) -> None:
        embed_pending()
        result = search_api.search_with_fallback("sodium battery cathode", kind="achievement")
        assert result.mode == "semantic" and [h.object_id for h in result.hits] == [BATTERY.object_id]
        assert semantic_search("量子 密钥", kind="achievement", filters={}, limit=10) == []  # nothing close enough
        nothing = search_api.search_with_fallback("量子 密钥", kind="achievement")
        assert nothing.total == 0 and nothing.mode == "all"

    def test_proximity_puts_the_words_as_typed_first(self, db: None) -> None:
        near = search_api.Document(
            kind="x", object_id=1, title="储能系统", body="钠离子电池正极材料的制备。", is_public=True
        )
        apart = search_api.Document(
            kind="x",
            object_id=2,
            title="储能系统",
            body="电池管理。" + "其他内容。" * 20 + "钠离子导体与正极。",
            is_public=True,
        )
        search_api.index_documents([apart, near])
        hits = search_api.search("钠离子电池 正极", kind="x", match="all").hits
        assert [h.object_id for h in hits] == [1, 2]


class TestSearchPage:
    def test_the_page_and_the_api_say_how_the_results_were_found(
        self, client: Client, p: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            a = make_achievement(p, **BATTERY_FORM)
            achievement_services.achievement_submit(achievement=a, by=p.tto_officer)
            achievement_services.achievement_register(achievement=a, by=p.reviewer)
        page = client.get(reverse("portal:search"), {"q": "涂布 量子"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "No record contains all of these words" in page and "涂布" in page
        api = client.get("/api/v1/achievements/", {"q": "涂布 量子"}).json()
        assert api["match_mode"] == "any" and api["count"] == 1
        empty = client.get(reverse("portal:search"), {"q": "量子密钥"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "Browse all achievements" in empty  # a way on from an empty page


class TestInferredField:
    """A typed query names no field: records of its best match's field come up after that match."""

    DOCS = [
        search_api.Document(kind="demand", object_id=951, title="高镍锂电池正极材料制备", field="energy",
                            keywords=["锂电池", "正极材料", "高镍"], body="高镍三元正极材料的连续制备工艺。", is_public=True),
        search_api.Document(kind="demand", object_id=952, title="高镍正极材料表面包覆涂层", field="materials",
                            keywords=["正极材料", "高镍", "涂层"], body="高镍正极材料颗粒的表面包覆。", is_public=True),
        search_api.Document(kind="demand", object_id=953, title="退役储能设备梯次利用", field="energy",
                            keywords=["储能"], body="储能电站中退役电池的检测与重组。", is_public=True),
    ]

    @pytest.fixture
    def docs(self, db: None) -> None:
        search_api.index_documents(self.DOCS)

    def ranking(self, source: Any) -> list[int]:
        return [m.object_id for m in match(source, kind="demand", semantic=False)]

    def test_records_of_the_best_matchs_field_come_next_and_the_best_keeps_its_place(self, docs: None) -> None:
        query = Source(text="高镍 锂电池 正极材料")
        with override_settings(MATCHING_WEIGHTS={"boost_inferred_field": 0.0}):
            assert self.ranking(query) == [951, 952, 953]
        found = match(query, kind="demand", semantic=False)
        assert [m.object_id for m in found] == [951, 953, 952]
        assert not any(m.same_field for m in found)  # inferred, so not a reason to show

    def test_a_source_that_names_its_field_is_not_second_guessed(self, docs: None) -> None:
        found = match(Source(text="高镍 锂电池 正极材料", field="materials"), kind="demand", semantic=False)
        assert [m.object_id for m in found][:2] == [951, 952]
        assert [m.object_id for m in found if m.same_field] == [952]


class TestReasonsOnThePage:
    def test_reasons_are_separated_as_each_language_writes_lists(self) -> None:
        from django.template.loader import render_to_string
        from django.utils import translation

        r = {"kind": "demand", "object_id": 1, "title_html": "需求", "score": 1.0,
             "reasons": ["共同关键词：锂电池", "同区（海淀区）"]}
        with translation.override("zh-hans"):
            chinese = render_to_string("matching/_result.html", {"r": r})
        with translation.override("en"):
            english = render_to_string("matching/_result.html", {"r": r})
        assert "共同关键词：锂电池；同区（海淀区）" in chinese and "; " not in chinese
        assert "共同关键词：锂电池; 同区（海淀区）" in english


class TestLexicalConfidence:
    """A typed query whose words are all common (世界铌的发展动态: 铌 is one character, so not a key term) finds
    with its words only records that share those common words: that lexical best hit must not outweigh the
    record closest in meaning (`lexical_evidence`, on with e5; the tests' hash vectors stand in for e5's)."""

    NIOBIUM = 700
    E5 = EMBEDDER_DEFAULTS["e5"]

    @pytest.fixture
    def corpus(self, db: None) -> None:
        docs = [
            search_api.Document(kind="demand", object_id=number, title=f"第{number}号课题研究进展",
                                body=("国内发展动态与展望。" if number < 15 else "") + f"方法{number}验证。",
                                is_public=True)
            for number in range(100)
        ]
        docs.append(search_api.Document(kind="demand", object_id=self.NIOBIUM, title="铌合金高温抗氧化涂层",
                                        body="铌 合金 在 航空 发动机 热端 部件 的 应用。", is_public=True))
        search_api.index_documents(docs)
        embed_pending()

    def first(self, query: Source, **weights: float) -> int:
        with override_settings(MATCHING_WEIGHTS=weights):
            return match(query, kind="demand", limit=3)[0].object_id

    def test_a_best_hit_sharing_only_common_words_does_not_outweigh_meaning(self, corpus: None) -> None:
        meaning = store.kind_vectors("demand", embedder="hash", dim=256).vector_of(self.NIOBIUM)
        query = Source(text="世界铌的发展动态", vector=meaning)  # as if the model read 铌 as the subject
        assert self.first(query) < 15  # off (the default with fuse): the lexical side's best at full weight
        assert self.first(query, **self.E5) == self.NIOBIUM

    def test_a_best_hit_sharing_a_specific_word_counts_fully(self, corpus: None) -> None:
        meaning = store.kind_vectors("demand", embedder="hash", dim=256).vector_of(3)
        query = Source(text="铌合金 高温涂层", vector=meaning)  # words and meaning disagree: words win
        assert self.first(query, **self.E5) == self.NIOBIUM
