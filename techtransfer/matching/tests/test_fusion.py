import pytest

from techtransfer.matching.fusion import convex_fusion, reciprocal_rank_fusion


class TestReciprocalRankFusion:
    def test_a_document_high_on_both_sides_wins(self) -> None:
        fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "d", "a"]], k=60)
        assert [id_ for id_, _ in fused] == ["b", "a", "d", "c"]
        assert dict(fused)["b"] == pytest.approx(1 / 62 + 1 / 61)

    def test_weights_scale_each_rankings_contribution(self) -> None:
        fused = reciprocal_rank_fusion([["a"], ["b"]], weights=[2.0, 1.0], k=60)
        assert fused == [("a", pytest.approx(2 / 61)), ("b", pytest.approx(1 / 61))]

    def test_ties_keep_the_order_first_met(self) -> None:
        assert [id_ for id_, _ in reciprocal_rank_fusion([["a"], ["b"]])] == ["a", "b"]

    def test_it_refuses_a_weight_count_that_does_not_match(self) -> None:
        with pytest.raises(ValueError, match="2 rankings but 1 weights"):
            reciprocal_rank_fusion([["a"], ["b"]], weights=[1.0])


class TestConvexFusion:
    def test_it_adds_min_max_normalised_scores_times_weights(self) -> None:
        lexical = [("a", 12.0), ("b", 4.0), ("c", 2.0)]
        semantic = [("c", 0.9), ("b", 0.8), ("a", 0.5)]
        fused = dict(convex_fusion([lexical, semantic], weights=[1.0, 0.5]))
        # a: 1 + 0.5*0 ; b: 0.2 + 0.5*0.75 ; c: 0 + 0.5*1
        assert fused == {"a": pytest.approx(1.0), "b": pytest.approx(0.575), "c": pytest.approx(0.5)}

    def test_a_far_ahead_lexical_hit_outweighs_a_semantic_lead_at_half_weight(self) -> None:
        lexical = [("a", 30.0), ("b", 3.0), ("c", 2.9)]
        semantic = [("b", 0.80), ("c", 0.79), ("a", 0.78)]
        # a: 1 + 0.5*0 = 1; b: 0.1/27.1 + 0.5*1 ≈ 0.504.
        assert [id_ for id_, _ in convex_fusion([lexical, semantic], weights=[1.0, 0.5])] == ["a", "b", "c"]

    def test_a_list_of_equal_scores_gives_each_member_the_full_weight(self) -> None:
        assert convex_fusion([[("a", 1.0), ("b", 1.0)]], weights=[2.0]) == [("a", 2.0), ("b", 2.0)]
