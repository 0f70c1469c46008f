"""Fusion of rankings by weighted reciprocal rank (RRF): pure functions over plain lists of ids."""

from __future__ import annotations

from collections.abc import Sequence

RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], *, weights: Sequence[float] | None = None, k: int = RRF_K
) -> list[tuple[str, float]]:
    """Ids ranked by sum(weight / (k + rank)) over the rankings they appear in (rank counts from 1).

    RRF uses only ranks, so a BM25 score and a cosine need no common scale. Ties keep the order in which
    ids were first met, ranking by ranking, so the result is deterministic.
    """
    weights = [1.0] * len(rankings) if weights is None else list(weights)
    if len(weights) != len(rankings):
        raise ValueError(f"Got {len(rankings)} rankings but {len(weights)} weights.")
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, id_ in enumerate(ranking, start=1):
            scores[id_] = scores.get(id_, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def convex_fusion(
    scored: Sequence[Sequence[tuple[str, float]]], *, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Ids ranked by sum(weight * min-max-normalised score) over the scored lists (absent counts as 0).

    Unlike RRF it keeps how far ahead a document is: a BM25 hit far above the rest stays first, which
    matters when one side is already near-perfect. Each list is scaled to [0, 1] on its own top-k.
    """
    weights = [1.0] * len(scored) if weights is None else list(weights)
    if len(weights) != len(scored):
        raise ValueError(f"Got {len(scored)} rankings but {len(weights)} weights.")
    totals: dict[str, float] = {}
    for results, weight in zip(scored, weights, strict=True):
        if not results:
            continue
        values = [score for _, score in results]
        low, high = min(values), max(values)
        span = high - low
        for id_, score in results:
            # A list whose scores are all equal carries no order: every member gets the full weight.
            normalised = (score - low) / span if span > 0 else 1.0
            totals[id_] = totals.get(id_, 0.0) + weight * normalised
    return sorted(totals.items(), key=lambda item: -item[1])


def weighted_sum(
    scored: Sequence[Sequence[tuple[str, float]]], *, weights: Sequence[float] | None = None
) -> list[tuple[str, float]]:
    """Ids ranked by sum(weight * score) over the lists (absent counts as 0), for scores already on a
    common absolute scale such as [0, 1]."""
    weights = [1.0] * len(scored) if weights is None else list(weights)
    if len(weights) != len(scored):
        raise ValueError(f"Got {len(scored)} rankings but {len(weights)} weights.")
    totals: dict[str, float] = {}
    for results, weight in zip(scored, weights, strict=True):
        for id_, score in results:
            totals[id_] = totals.get(id_, 0.0) + weight * score
    return sorted(totals.items(), key=lambda item: -item[1])
