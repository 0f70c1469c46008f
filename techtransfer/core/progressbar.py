"""A plain-text progress bar for management commands (no colour codes, one line redrawn with \\r)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

BAR_WIDTH = 30


def progress_bar(stream: Any, label: str) -> Callable[[int, int], None]:
    """A `progress(done, total)` callback drawing `label [####------] done/total  pct%  rate/s` on `stream`."""
    started = time.monotonic()

    def draw(done: int, total: int) -> None:
        filled = BAR_WIDTH if total <= 0 else BAR_WIDTH * done // total
        percent = 100 if total <= 0 else 100 * done // total
        rate = done / max(time.monotonic() - started, 1e-6)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        stream.write(f"\r{label} [{bar}] {done}/{total} {percent:3d}% {rate:.1f}/s", ending="")
        stream.flush()

    return draw
