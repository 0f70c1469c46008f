import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from techtransfer.matching.datasets import csl_eval_build
from techtransfer.search.models import SearchDocument

# The default engine is the application's: the corpus goes through the real index, rolled back after.
pytestmark = pytest.mark.django_db

DOCS = [
    {
        "id": "d1",
        "title": "石墨烯复合材料的制备",
        "abstract": "研究石墨烯增强铝基复合材料的制备工艺和力学性能。",
        "keywords": ["石墨烯"],
        "field": "材料",
    },
    {
        "id": "d2",
        "title": "中药治疗慢性肝病",
        "abstract": "观察中药复方对慢性乙型肝炎患者肝功能的影响。",
        "keywords": ["中药"],
        "field": "医学",
    },
    {
        "id": "d3",
        "title": "深度学习图像识别",
        "abstract": "提出一种卷积神经网络的图像识别方法, deep learning for images.",
        "keywords": [],
        "field": "计算机",
    },
]
QUERIES = [
    {"id": "q1", "text": "石墨烯 铝基复合材料", "relevant": {"d1": 2, "d2": 1}},
    {"id": "q2", "text": "卷积神经网络 图像", "relevant": {"d3": 1}},
]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def evaluate(corpus: Path, queries: Path, *extra: object) -> dict:
    """Run evaluate_matching with the model-free embedder and return its JSON."""
    out = StringIO()
    call_command(
        "evaluate_matching",
        "--corpus",
        corpus,
        "--queries",
        queries,
        "--json",
        "--embedder",
        "hash",
        *extra,
        stdout=out,
        stderr=StringIO(),
    )
    return json.loads(out.getvalue())


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return write_jsonl(tmp_path / "c.jsonl", DOCS), write_jsonl(tmp_path / "q.jsonl", QUERIES)


class TestEvaluateMatching:
    def test_it_prints_one_json_object_with_the_three_rankings_and_timings(self, files: tuple[Path, Path]) -> None:
        report = evaluate(*files)
        assert set(report) == {"hybrid", "lexical", "semantic", "index_seconds", "query_p50_ms", "query_p95_ms"}
        for ranking in ("hybrid", "lexical", "semantic"):
            assert set(report[ranking]) == {"r1", "r10", "mrr10", "ndcg10"}
        # Both queries share words with their target only: every ranking puts it first.
        assert report["lexical"]["r1"] == 1.0
        assert report["hybrid"]["r1"] == 1.0
        assert report["query_p95_ms"] >= report["query_p50_ms"] >= 0

    def test_the_app_engine_leaves_nothing_behind_and_the_memory_engine_agrees_on_easy_queries(
        self, files: tuple[Path, Path]
    ) -> None:
        app = evaluate(*files)
        assert not SearchDocument.objects.exists()
        memory = evaluate(*files, "--engine", "memory")
        assert app["lexical"]["r1"] == memory["lexical"]["r1"] == 1.0

    def test_it_skips_queries_whose_target_is_outside_a_limited_corpus(self, files: tuple[Path, Path]) -> None:
        report = evaluate(*files, "--limit-corpus", "1")
        # Only q1 remains (d3 is cut off) and its target d1 is the only document: a perfect score.
        assert report["hybrid"] == {"r1": 1.0, "r10": 1.0, "mrr10": 1.0, "ndcg10": 1.0}

    def test_it_reuses_cached_vectors_when_they_match_the_corpus(
        self, files: tuple[Path, Path], tmp_path: Path
    ) -> None:
        first = evaluate(*files, "--vectors", tmp_path / "v.npz")
        assert (tmp_path / "v.npz").exists()
        second = evaluate(*files, "--vectors", tmp_path / "v.npz")
        assert first["semantic"] == second["semantic"]

    @pytest.mark.parametrize(
        "engine, fusion",
        [("app", "max"), ("app", "minmax"), ("app", "absolute"), ("memory", "convex"), ("memory", "rrf")],
    )
    def test_each_engine_s_fusions_can_be_chosen_and_still_rank_the_targets_first(
        self, files: tuple[Path, Path], engine: str, fusion: str
    ) -> None:
        report = evaluate(*files, "--engine", engine, "--fusion", fusion, "--semantic-weight", "0.5")
        assert report["hybrid"]["r1"] == 1.0

    def test_a_fusion_of_the_other_engine_is_refused_by_name(self, files: tuple[Path, Path]) -> None:
        with pytest.raises(CommandError, match="--fusion rrf is for the other engine"):
            evaluate(*files, "--fusion", "rrf")

    def test_it_refuses_a_corpus_with_a_repeated_id(self, tmp_path: Path) -> None:
        corpus = write_jsonl(tmp_path / "c.jsonl", [DOCS[0], DOCS[1], DOCS[0]])
        queries = write_jsonl(tmp_path / "q.jsonl", QUERIES)
        with pytest.raises(CommandError, match=r"c.jsonl, line 3: the id 'd1' appears twice"):
            evaluate(corpus, queries)

    def test_it_names_the_file_and_line_of_a_bad_query(self, tmp_path: Path) -> None:
        corpus = write_jsonl(tmp_path / "c.jsonl", DOCS)
        queries = tmp_path / "q.jsonl"
        queries.write_text(
            '{"id": "q1", "text": "x", "relevant": {"d1": 1}}\n{"id": "q2", "text": "y"}\n', encoding="utf-8"
        )
        with pytest.raises(CommandError, match=r"q.jsonl, line 2: \"relevant\" must be a non-empty object"):
            evaluate(corpus, queries)


CSL_ROWS = [
    {"id": "p1", "title": "标题一", "abstract": "摘要一", "keywords": ["关键词甲", "关键词乙"], "discipline": "材料"},
    {"id": "p2", "title": "标题二", "abstract": "摘要二", "keywords": ["关键词丙"], "discipline": "材料"},
    {"id": "p3", "title": "标题三", "abstract": "摘要三", "keywords": ["关键词丁"], "discipline": "医学"},
]


class TestCslEvalBuild:
    def test_keyword_queries_grade_the_paper_2_and_its_discipline_1_against_a_corpus_without_keywords(self) -> None:
        corpus, queries = csl_eval_build(rows=CSL_ROWS, mode="keywords")
        assert queries[0] == {"id": "q-p1", "text": "关键词甲 关键词乙", "relevant": {"p1": 2, "p2": 1}}
        assert corpus[0] == {"id": "p1", "title": "标题一", "abstract": "摘要一", "keywords": [], "field": "材料"}

    def test_title_queries_run_against_abstracts_only(self) -> None:
        corpus, queries = csl_eval_build(rows=CSL_ROWS, mode="titles")
        assert queries[2] == {"id": "q-p3", "text": "标题三", "relevant": {"p3": 1}}
        assert {doc["title"] for doc in corpus} == {""}

    def test_graded_title_queries_count_the_papers_of_the_discipline_as_partly_relevant(self) -> None:
        corpus, queries = csl_eval_build(rows=CSL_ROWS, mode="titles-graded")
        assert queries[0] == {"id": "q-p1", "text": "标题一", "relevant": {"p1": 2, "p2": 1}}
        assert queries[2]["relevant"] == {"p3": 2}
        assert {doc["title"] for doc in corpus} == {""}

    def test_the_command_writes_both_files_from_the_shared_data(self, tmp_path: Path) -> None:
        source = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "csl" / "csl_dev.jsonl"
        assert source.exists(), f"the shared CSL data should be at {source}"
        call_command("make_matching_eval", "--source", "csl", "--mode", "titles", "--out", tmp_path, stdout=StringIO())
        assert len((tmp_path / "corpus.jsonl").read_text(encoding="utf-8").splitlines()) == 1000
        assert len((tmp_path / "queries.jsonl").read_text(encoding="utf-8").splitlines()) == 1000
