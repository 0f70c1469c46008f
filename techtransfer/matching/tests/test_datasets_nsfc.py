"""The NSFC expert-matching data set: one document per PI (name + institution), a held-out title per query."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from techtransfer.matching.datasets import _nsfc_rows, nsfc_eval_build

pytestmark = pytest.mark.django_db

HEADER = "grant_no\tgrant_type\ttitle\tinstitution\tpi\tamount_wan_cny\tperiod\tevaluation"
# 张三 at two universities are two experts; 李四 has one project; 王五 one project listed twice (a renewal);
# 赵六's latest title repeats an older one; 钱七 holds the very title 张三@乙大学 is queried with.
PROJECTS = [
    ("71001001", "面上项目", '"规模导向"还是"创新导向"的产业政策', "甲大学", "张三", "50", "2010.01-2012.12", "优"),
    ("71402002", "面上项目", "供应链协调机制研究", "甲大学", "张三", "50", "2015.01-2018.12", "良"),
    ("71801003", "青年科学基金项目", "供应链风险管理与协调", "甲大学", "张三", "20", "2018.01-2020.12", "尚未评估"),
    ("71201004", "面上项目", "城市交通网络均衡模型", "乙大学", "张三", "45", "2012.01-2015.12", "良"),
    ("71601005", "面上项目", "交通拥堵收费定价", "乙大学", "张三", "48", "2016.01-2019.12", "尚未评估"),
    ("71501006", "青年科学基金项目", "医疗服务质量评价", "丙大学", "李四", "18", "2015.01-2017.12", "良"),
    ("71101007", "面上项目", "企业创新网络演化", "丁大学", "王五", "40", "2011.01-2013.12", "优"),
    ("71501008", "青年-面上连续资助项目", "企业创新网络演化", "丁大学", "王五", "40", "2015.01-2017.12", "良"),
    ("70901009", "面上项目", "金融市场风险度量", "戊大学", "赵六", "30", "2009.01-2011.12", "中"),
    ("71201010", "面上项目", "金融市场投资者行为", "戊大学", "赵六", "40", "2012.01-2015.12", "良"),
    ("71601011", "面上项目", "金融市场风险度量", "戊大学", "赵六", "48", "2016.01-2019.12", "尚未评估"),
    ("71641012", "应急项目", "交通拥堵收费定价", "己大学", "钱七", "20", "2016.01-2016.12", "无需评估"),
]


@pytest.fixture
def tsv(tmp_path: Path) -> Path:
    path = tmp_path / "nsfc.tsv"
    path.write_text("\n".join([HEADER, *("\t".join(row) for row in PROJECTS)]) + "\n", encoding="utf-8")
    return path


def build(tsv: Path, **options: int) -> tuple[dict[str, dict], dict[str, dict], dict[str, int]]:
    corpus, queries, stats = nsfc_eval_build(rows=_nsfc_rows(tsv), **options)
    return {doc["id"]: doc for doc in corpus}, {query["id"]: query for query in queries}, stats


class TestNsfcEvalBuild:
    def test_unbalanced_quotes_in_a_title_do_not_swallow_the_following_rows(self, tsv: Path) -> None:
        rows = _nsfc_rows(tsv)
        assert len(rows) == 12
        assert rows[0]["title"] == '"规模导向"还是"创新导向"的产业政策'
        assert rows[1]["title"] == "供应链协调机制研究"

    def test_the_latest_project_is_the_query_and_is_left_out_of_the_experts_document(self, tsv: Path) -> None:
        docs, queries, _ = build(tsv)
        assert queries["q-张三@甲大学"] == {
            "id": "q-张三@甲大学",
            "text": "供应链风险管理与协调",
            "relevant": {"张三@甲大学": 1},
        }
        assert docs["张三@甲大学"] == {
            "id": "张三@甲大学",
            "title": "张三 · 甲大学",
            "abstract": '"规模导向"还是"创新导向"的产业政策\n供应链协调机制研究',
            "keywords": [],
            "field": "",
        }
        for query in queries.values():
            (expert,) = query["relevant"]
            assert query["text"] not in docs[expert]["abstract"].split("\n")

    def test_namesakes_at_different_institutions_are_different_experts(self, tsv: Path) -> None:
        docs, queries, _ = build(tsv)
        assert {"张三@甲大学", "张三@乙大学"} <= set(docs)
        assert docs["张三@乙大学"]["abstract"] == "城市交通网络均衡模型"
        assert queries["q-张三@乙大学"]["relevant"] == {"张三@乙大学": 1}
        assert "供应链" not in docs["张三@乙大学"]["abstract"]

    def test_a_pi_with_one_project_or_one_title_gives_no_query_but_stays_in_the_corpus(self, tsv: Path) -> None:
        docs, queries, stats = build(tsv)
        assert "q-李四@丙大学" not in queries
        assert docs["李四@丙大学"]["abstract"] == "医疗服务质量评价"
        # A renewal under the same title is one title: nothing left to hold out, and listed once.
        assert "q-王五@丁大学" not in queries
        assert docs["王五@丁大学"]["abstract"] == "企业创新网络演化"
        assert set(queries) == {"q-张三@甲大学", "q-张三@乙大学", "q-赵六@戊大学"}
        assert stats == {
            "projects": 12,
            "experts": 6,
            "eligible": 3,
            "queries": 3,
            "title_held_by_another_expert": 1,
        }

    def test_an_older_project_with_the_held_out_title_is_left_out_too(self, tsv: Path) -> None:
        docs, queries, _ = build(tsv)
        assert queries["q-赵六@戊大学"]["text"] == "金融市场风险度量"
        assert docs["赵六@戊大学"]["abstract"] == "金融市场投资者行为"

    def test_another_expert_with_the_same_title_keeps_it(self, tsv: Path) -> None:
        docs, queries, _ = build(tsv)
        assert queries["q-张三@乙大学"]["text"] == "交通拥堵收费定价"
        assert docs["钱七@己大学"]["abstract"] == "交通拥堵收费定价"

    def test_the_output_is_deterministic_and_the_cap_samples_queries_without_changing_the_corpus(
        self, tsv: Path
    ) -> None:
        full = nsfc_eval_build(rows=_nsfc_rows(tsv))
        assert nsfc_eval_build(rows=_nsfc_rows(tsv)) == full
        capped = nsfc_eval_build(rows=_nsfc_rows(tsv), max_queries=2, seed=7)
        assert capped == nsfc_eval_build(rows=_nsfc_rows(tsv), max_queries=2, seed=7)
        assert capped[0] == full[0]
        assert len(capped[1]) == 2
        assert all(query in full[1] for query in capped[1])
        picks = {
            tuple(q["id"] for q in nsfc_eval_build(rows=_nsfc_rows(tsv), max_queries=1, seed=seed)[1])
            for seed in range(20)
        }
        assert len(picks) > 1, "the seed should change which experts are sampled"


class TestMakeMatchingEvalNsfc:
    def test_the_command_builds_the_files_and_evaluate_matching_runs_on_them(self, tsv: Path, tmp_path: Path) -> None:
        out_dir = tmp_path / "out"
        stdout = StringIO()
        call_command("make_matching_eval", "--source", "nsfc", "--source-file", tsv, "--out", out_dir, stdout=stdout)
        assert "experts: 6, eligible: 3, queries: 3, title_held_by_another_expert: 1" in stdout.getvalue()
        corpus_lines = (out_dir / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
        query_lines = (out_dir / "queries.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(corpus_lines) == 6
        assert len(query_lines) == 3

        report_out = StringIO()
        files = ["--corpus", out_dir / "corpus.jsonl", "--queries", out_dir / "queries.jsonl"]
        call_command("evaluate_matching", *files, "--json", "--embedder", "hash", stdout=report_out, stderr=StringIO())
        report = json.loads(report_out.getvalue())
        # 张三@甲大学 (供应链) and 赵六@戊大学 (金融市场) come first; 张三@乙大学 loses to 钱七, who holds its
        # exact title, but is still in the top 10 of six experts.
        assert report["lexical"]["r1"] == pytest.approx(2 / 3, abs=1e-4)
        assert report["lexical"]["r10"] == 1.0

    def test_the_cap_is_applied(self, tsv: Path, tmp_path: Path) -> None:
        args = ["--source", "nsfc", "--source-file", tsv, "--out", tmp_path, "--max-queries", "1"]
        call_command("make_matching_eval", *args, stdout=StringIO())
        assert len((tmp_path / "queries.jsonl").read_text(encoding="utf-8").splitlines()) == 1

    def test_csl_still_needs_a_mode_and_a_missing_file_is_a_clear_error(self, tmp_path: Path) -> None:
        with pytest.raises(CommandError, match="--mode is required"):
            call_command("make_matching_eval", "--source", "csl", "--out", tmp_path, stdout=StringIO())
        with pytest.raises(CommandError, match="Source file not found"):
            args = ["--source", "nsfc", "--source-file", tmp_path / "absent.tsv", "--out", tmp_path]
            call_command("make_matching_eval", *args, stdout=StringIO())
