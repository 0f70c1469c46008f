"""Taking a workflow step in the browser: every step's button comes from the record's workflow table and
carries the id `step-<name>`; one that takes a reason or cannot be undone folds out first."""

from __future__ import annotations

from typing import Any


def take_step(page: Any, name: str, *, reason: str | None = None) -> None:
    step = page.locator(f"#step-{name}")
    if step.evaluate("element => element.tagName") == "DETAILS":
        step.locator("summary").click()
    if reason is not None:
        page.locator(f"#step-{name}-reason").fill(reason)
    step.locator("button[type=submit]").click()
