"""What every browser test does: read the Chinese (default) pages' words, log in, take a workflow step."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, override
from playwright.sync_api import expect

# The password of every user the tests make (techtransfer.testing.make_user).
PASSWORD = "correct-horse-battery"


def zh(msgid: str, **params: Any) -> str:
    """The text the Chinese (default) pages show for an English msgid, with its parameters filled in."""
    with override("zh-hans"):
        text = gettext(msgid)
    return text % params if params else text


def log_in(page: Any, username: str) -> None:
    """Log in through the login page; a signed-in user lands on the workbench."""
    page.goto("/accounts/login/")
    page.get_by_label(zh("User name or e-mail")).fill(username)
    page.get_by_label(zh("Password")).fill(PASSWORD)
    page.get_by_role("button", name=zh("Log in"), exact=True).click()
    expect(page.get_by_role("heading", name=zh("My workspace"), exact=True)).to_be_visible()


def take_step(page: Any, name: str, *, reason: str | None = None) -> None:
    """Take a workflow step from the record's page: every step's button comes from the record's workflow table
    and carries the id `step-<name>`; one that takes a reason or cannot be undone folds out first."""
    step = page.locator(f"#step-{name}")
    if step.evaluate("element => element.tagName") == "DETAILS":
        step.locator("summary").click()
    if reason is not None:
        page.locator(f"#step-{name}-reason").fill(reason)
    step.locator("button[type=submit]").click()


REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "?") + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


class Watch:
    """What breaks on one page: Content-Security-Policy violations and uncaught script errors, and with
    `console_errors` every error the console logs (the site's missing favicon aside)."""

    def __init__(self, page: Any, *, console_errors: bool = False) -> None:
        self.problems: list[str] = []
        self.console_errors = console_errors
        page.expose_function("__cspViolation", lambda text: self.problems.append(f"violation: {text}"))
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.problems.append(f"console: {message.text}")
        elif self.console_errors and message.type == "error":
            if "favicon.ico" not in (message.location or {}).get("url", ""):
                self.problems.append(f"console {message.type}: {message.text}")
