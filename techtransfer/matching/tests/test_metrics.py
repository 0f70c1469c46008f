import math

import pytest

from techtransfer.matching.evaluation import metrics_mean, mrr_at_k, ndcg_at_k, recall_at_k


class TestRecall:
    def test_it_counts_only_the_highest_graded_documents(self) -> None:
        relevant = {"a": 2, "b": 1, "c": 1}
        assert recall_at_k(["b", "c", "a"], relevant, 1) == 0.0
        assert recall_at_k(["b", "c", "a"], relevant, 3) == 1.0

    def test_it_is_the_share_of_several_top_graded_documents_found(self) -> None:
        assert recall_at_k(["a", "x", "y"], {"a": 1, "b": 1}, 10) == 0.5

    def test_it_is_zero_when_nothing_is_relevant(self) -> None:
        assert recall_at_k(["a"], {"a": 0}, 10) == 0.0


class TestMrr:
    def test_it_is_one_over_the_rank_of_the_first_top_graded_document(self) -> None:
        assert mrr_at_k(["x", "b", "a"], {"a": 2, "b": 1}, 10) == pytest.approx(1 / 3)

    def test_it_is_zero_when_the_target_is_below_the_cutoff(self) -> None:
        assert mrr_at_k([*"xxxxxxxxxx", "a"], {"a": 1}, 10) == 0.0


class TestNdcg:
    def test_a_perfect_ranking_scores_one(self) -> None:
        assert ndcg_at_k(["a", "b", "c"], {"a": 2, "b": 1, "c": 1}, 10) == pytest.approx(1.0)

    def test_it_uses_exponential_gain_and_log2_discount_against_the_ideal(self) -> None:
        # Ranking b, x, a with a=2 (gain 3), b=1 (gain 1): DCG = 1/log2(2) + 3/log2(4) = 1 + 1.5 = 2.5.
        # Ideal a, b: 3/1 + 1/log2(3).
        expected = 2.5 / (3 + 1 / math.log2(3))
        assert ndcg_at_k(["b", "x", "a"], {"a": 2, "b": 1}, 10) == pytest.approx(expected)

    def test_the_ideal_includes_graded_documents_that_were_not_retrieved(self) -> None:
        # Only a (gain 1) found at rank 1; ideal has a and b, both gain 1: 1 / (1 + 1/log2(3)).
        assert ndcg_at_k(["a"], {"a": 1, "b": 1}, 10) == pytest.approx(1 / (1 + 1 / math.log2(3)))


class TestMetricsMean:
    def test_it_averages_each_metric_over_queries(self) -> None:
        result = metrics_mean([["a"], ["x", "b"]], [{"a": 1}, {"b": 1}])
        assert result == {
            "r1": 0.5,
            "r10": 1.0,
            "mrr10": 0.75,
            "ndcg10": pytest.approx(round((1 + 1 / math.log2(3)) / 2, 4)),
        }
