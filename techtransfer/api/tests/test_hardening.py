"""Bad input never answers 500: ids too large for the database, deeply nested JSON, NUL characters in
queries; and under /api/ every error, even an unknown URL or an unexpected exception, is JSON."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from techtransfer.api import codetables
from techtransfer.api.parsers import MAX_JSON_DEPTH, json_depth
from techtransfer.challenges.tests.helpers import make_challenge
from techtransfer.market.tests.helpers import make_enterprise
from techtransfer.testing import Personas

TOO_BIG = "999999999999999999999999999999"  # beyond 64 bits: OverflowError on SQLite, out of range on PostgreSQL


def _client() -> APIClient:
    return APIClient(raise_request_exception=False)


class TestIdsTooLargeForTheDatabase:
    @pytest.mark.parametrize("url", ["/api/v1/achievements/", "/api/v1/demands/", "/api/v1/challenges/"])
    def test_an_api_list_answers_400_naming_the_owner_filter(self, p: Personas, url: str) -> None:
        response = _client().get(url, {"owner": TOO_BIG})
        assert response.status_code == 400, response.content
        fields = response.json()["extra"]["fields"]
        assert list(fields) == ["owner"] and fields["owner"]

    def test_an_id_in_range_still_filters(self, p: Personas) -> None:
        response = _client().get("/api/v1/challenges/", {"owner": str(p.university.pk)})
        assert response.status_code == 200 and response.json()["count"] == 0

    def test_the_achievement_list_page_shows_the_error_and_no_records(self, p: Personas) -> None:
        client = Client(raise_request_exception=False)
        client.force_login(p.commission_admin)
        response = client.get("/achievements/", {"owner": TOO_BIG})
        assert response.status_code == 200
        assert "is not an id: ids are whole numbers from 1 to 9223372036854775807" in response.content.decode()

    @pytest.mark.parametrize("url", ["/demands/", "/challenges/"])
    def test_public_list_pages_ignore_it(self, p: Personas, url: str) -> None:
        assert Client(raise_request_exception=False).get(url, {"owner": TOO_BIG}).status_code == 200

    @pytest.mark.parametrize(
        "url", [f"/api/v1/achievements/{TOO_BIG}/", f"/api/v1/demands/{TOO_BIG}/", f"/api/v1/challenges/{TOO_BIG}/"]
    )
    def test_a_path_id_too_large_is_a_json_404(self, p: Personas, url: str) -> None:
        response = _client().get(url)
        assert response.status_code == 404 and set(response.json()) == {"message", "extra"}

    @pytest.mark.parametrize("url", [f"/achievements/{TOO_BIG}/", f"/demands/{TOO_BIG}/", f"/challenges/{TOO_BIG}/"])
    def test_a_page_id_too_large_is_a_404_page(self, p: Personas, url: str) -> None:
        assert Client(raise_request_exception=False).get(url).status_code == 404


class TestDeeplyNestedJson:
    def test_5000_levels_answer_400_with_a_json_error(self, p: Personas) -> None:
        client = _client()
        client.force_authenticate(p.tto_officer)
        body = "[" * 5000 + "]" * 5000
        response = client.post("/api/v1/demands/", body, content_type="application/json")
        assert response.status_code == 400
        assert "more than 32 levels deep" in response.json()["message"]

    def test_deep_but_parseable_bodies_are_refused_too(self, p: Personas) -> None:
        client = _client()
        client.force_authenticate(p.tto_officer)
        body = '{"title": ' + "[" * 100 + "]" * 100 + "}"
        response = client.post("/api/v1/demands/", body, content_type="application/json")
        assert response.status_code == 400 and "levels deep" in response.json()["message"]

    def test_depth_is_counted_without_recursion(self) -> None:
        value: Any = 1
        for _ in range(100_000):
            value = [value]
        assert json_depth(value) == 100_000
        assert json_depth({"a": [1, {"b": 2}]}) == 3 and json_depth("x") == 0
        assert MAX_JSON_DEPTH == 32


class TestNulInSearchQueries:
    """On PostgreSQL a NUL reaching the database was a 500 (DataError); on SQLite these pass either way."""

    def test_the_challenge_api_refuses_it_naming_the_parameter(self, p: Personas) -> None:
        response = _client().get("/api/v1/challenges/", {"q": "传感\x00器"})
        assert response.status_code == 400
        assert response.json()["extra"]["fields"] == {"q": ["Null characters are not allowed."]}

    @pytest.mark.parametrize("url", ["/api/v1/demands/", "/api/v1/achievements/"])
    def test_other_api_searches_do_not_fail(self, p: Personas, url: str) -> None:
        assert _client().get(url, {"q": "传感\x00器"}).status_code in (200, 400)

    @pytest.mark.parametrize("url", ["/challenges/", "/demands/", "/search/"])
    def test_pages_search_without_it(self, p: Personas, url: str) -> None:
        make_challenge(make_enterprise(), title="高精度传感器研发")
        response = Client(raise_request_exception=False).get(url, {"q": "传感\x00器", "field": "\x00"})
        assert response.status_code == 200


class TestApiErrorsAreJson:
    def test_an_unknown_api_url_is_a_json_404(self, db: None) -> None:
        response = _client().get("/api/v1/no-such-thing/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"message": "Not found.", "extra": {"path": "/api/v1/no-such-thing/"}}

    def test_an_unknown_page_is_still_an_html_page(self, db: None) -> None:
        response = Client().get("/no-such-page/")
        assert response.status_code == 404 and response["Content-Type"].startswith("text/html")

    def test_an_unexpected_error_is_a_json_500(self, db: None, monkeypatch: pytest.MonkeyPatch) -> None:
        def broken(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("a bug")

        monkeypatch.setattr(codetables.CodeTableListApi, "get", broken)
        response = _client().get("/api/v1/code-tables/")
        assert response.status_code == 500
        assert response["Content-Type"] == "application/json"
        assert set(response.json()) == {"message", "extra"} and "a bug" not in response.content.decode()


class TestAllowHeader:
    @pytest.mark.parametrize(
        ("url", "allowed"),
        [
            ("/api/v1/demands/", "GET, HEAD, OPTIONS, POST"),
            ("/api/v1/achievements/", "GET, HEAD, OPTIONS, POST"),
            ("/api/v1/challenges/", "GET, HEAD, OPTIONS, POST"),
        ],
    )
    def test_options_lists_every_method_the_url_serves(self, p: Personas, url: str, allowed: str) -> None:
        response = _client().options(url)
        assert response.status_code == 200 and response["Allow"] == allowed

    def test_a_detail_url_lists_patch(self, p: Personas) -> None:
        enterprise = make_enterprise()
        challenge = make_challenge(enterprise)
        client = _client()
        client.force_authenticate(enterprise.staff)
        assert "PATCH" in client.options(f"/api/v1/challenges/{challenge.pk}/")["Allow"].split(", ")

    def test_a_405_lists_them_too(self, p: Personas) -> None:
        response = _client().delete("/api/v1/demands/")
        assert response.status_code == 405 and response["Allow"] == "GET, HEAD, OPTIONS, POST"


class TestSearchOffsetTooLarge:
    @pytest.mark.parametrize("url", ["/api/v1/demands/", "/api/v1/achievements/"])
    def test_a_search_with_an_offset_beyond_64_bits_is_a_400(self, p: Personas, url: str) -> None:
        response = _client().get(url, {"q": "传感器", "offset": TOO_BIG})
        assert response.status_code == 400
        assert list(response.json()["extra"]["fields"]) == ["offset"]
