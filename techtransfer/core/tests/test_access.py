"""A signed-in user who may not see a page gets a 403, never the login page.

The login page passes signed-in users on to `next`, so sending them there from a page they may not see
(what `user_passes_test` and `staff_member_required` do) loops until the browser gives up.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from techtransfer.testing import Personas, url_routes

# Django's admin has its own login page, which tells a signed-in user that they lack the rights.
SKIPPED_PREFIXES = ("admin/",)


def _example_path(route: str) -> str | None:
    """The route with its arguments filled in (1 for numbers, "x" otherwise); None for regex routes."""
    if route.startswith("^") or "(?" in route:
        return None
    return "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) == "int" else "x", route)


def page_paths() -> list[str]:
    paths = []
    for route in url_routes():
        if route.startswith(SKIPPED_PREFIXES):
            continue
        path = _example_path(route)
        if path is not None:
            paths.append(path)
    return sorted(set(paths))


def test_the_page_list_covers_the_staff_pages() -> None:
    paths = page_paths()
    assert reverse("matching:status") in paths
    assert reverse("achievements:review_queue") in paths
    assert len(paths) > 50


@pytest.mark.parametrize("who", ["outsider", "researcher", "reviewer"])
def test_no_page_sends_a_signed_in_user_to_the_login_page(p: Personas, client: Client, who: str) -> None:
    client.force_login(getattr(p, who))
    login_url = reverse(settings.LOGIN_URL)
    looping = []
    for path in page_paths():
        response = client.get(path)
        if response.status_code in (301, 302, 303, 307, 308) and response["Location"].startswith(login_url):
            looping.append(path)
    assert looping == []


def test_the_matching_status_is_forbidden_to_a_signed_in_user_who_is_not_an_administrator(
    p: Personas, client: Client
) -> None:
    url = reverse("matching:status")
    assert client.get(url).status_code == 302  # anonymous: to the login page, and back after logging in
    client.force_login(p.outsider)
    response = client.get(url)
    assert response.status_code == 403
    assert "administrators" in response.content.decode()
    client.force_login(p.commission_admin)
    assert client.get(url).status_code == 200
