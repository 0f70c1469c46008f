"""The workbench: every queue of work a user has, from every app, with counts.

Apps register their queues here (the review queue of achievements, the moderation queues of demands and
challenges, contact requests waiting for an answer...); the workbench page lists those the user works, so a
new queue appears there without the page naming its app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class Queue:
    """One queue: `works(user)` says whether the user works it at all (shown even when empty); `count(user)`
    says how many items wait for them. `url_name` (with `query`) is the page that lists the queue."""

    key: str
    label: str | Promise
    url_name: str
    works: Callable[[Any], bool]
    count: Callable[[Any], int]
    query: str = ""
    help: str | Promise = ""
    order: int = 100


@dataclass(frozen=True)
class QueueStatus:
    queue: Queue
    count: int
    url: str


_QUEUES: dict[str, Queue] = {}


def register_queue(queue: Queue) -> Queue:
    _QUEUES[queue.key] = queue
    return queue


def queues_for(user: Any) -> list[QueueStatus]:
    """The queues the user works, in their order, each with its count."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        QueueStatus(
            queue=queue,
            count=queue.count(user),
            url=reverse(queue.url_name) + (f"?{queue.query}" if queue.query else ""),
        )
        for queue in sorted(_QUEUES.values(), key=lambda q: (q.order, q.key))
        if queue.works(user)
    ]


def waiting_count(user: Any) -> int:
    """How many items wait in all of the user's queues (the badge of the workbench link)."""
    return sum(status.count for status in queues_for(user))


@dataclass(frozen=True)
class Shortcut:
    """A page an app offers on the workbench to the users it concerns (`shows(user)`): the unit's deals,
    its annual reports... so a new app's pages are reachable without the workbench naming the app."""

    key: str
    label: str | Promise
    url_name: str
    shows: Callable[[Any], bool]
    order: int = 100


_SHORTCUTS: dict[str, Shortcut] = {}


def register_shortcut(shortcut: Shortcut) -> Shortcut:
    _SHORTCUTS[shortcut.key] = shortcut
    return shortcut


def shortcuts_for(user: Any) -> list[tuple[Shortcut, str]]:
    """The shortcuts shown to the user, in their order, each with its URL."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        (shortcut, reverse(shortcut.url_name))
        for shortcut in sorted(_SHORTCUTS.values(), key=lambda s: (s.order, s.key))
        if shortcut.shows(user)
    ]
