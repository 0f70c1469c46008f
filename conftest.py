"""Fixtures every test of the project gets (techtransfer/ and tests/)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def stats_store(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh statistics store per test (DuckDB partitions in a temporary folder, every change seen at once):
    registrations in one test never reach another's figures, nor the developer's var/analytics."""
    from techtransfer.stats.engine import engines_reset

    settings.STATS_DIR = tmp_path_factory.mktemp("analytics")
    settings.STATS_ENGINE = "duckdb"
    settings.STATS_CHECK_SECONDS = 0.0
    settings.STATS_PG_TABLE = "stats_fact_test"
    engines_reset()
    yield settings.STATS_DIR
    engines_reset()


@pytest.fixture(autouse=True)
def language_reset() -> Iterator[None]:
    """Every test starts in the settings' language: a page request leaves its language active on the thread
    (LocaleMiddleware does not deactivate it), which would otherwise reach the next test on the same worker."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
