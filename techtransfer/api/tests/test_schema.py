"""The OpenAPI document and the docs pages: generated without warnings, complete, and served locally."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client

# Every route of the API, with its methods; the schema must document each one.
ROUTES = {
    "/api/v1/facilities/": {"get", "post"},
    "/api/v1/facilities/{id}/": {"get", "patch"},
    "/api/v1/facilities/{id}/calendar": {"get"},
    "/api/v1/facilities/{id}/publish": {"post"},
    "/api/v1/facilities/{id}/unpublish": {"post"},
    "/api/v1/facilities/sharing-stats": {"get"},
    "/api/v1/facilities/bookings/": {"get", "post"},
    "/api/v1/facilities/bookings/{id}/": {"get"},
    "/api/v1/facilities/bookings/{id}/cancel": {"post"},
    "/api/v1/facilities/bookings/{id}/confirm": {"post"},
    "/api/v1/facilities/bookings/{id}/decline": {"post"},
    "/api/v1/facilities/bookings/{id}/usage": {"post"},
    "/api/v1/vouchers/": {"get", "post"},
    "/api/v1/vouchers/{id}/": {"get"},
    "/api/v1/vouchers/{id}/approve": {"post"},
    "/api/v1/vouchers/{id}/book": {"post"},
    "/api/v1/vouchers/{id}/issue": {"post"},
    "/api/v1/vouchers/{id}/redeem": {"post"},
    "/api/v1/vouchers/{id}/reject": {"post"},
    "/api/v1/vouchers/{id}/release": {"post"},
    "/api/v1/vouchers/{id}/use": {"post"},
    "/api/v1/vouchers/programmes/": {"get"},
    "/api/v1/vouchers/programmes/{id}/": {"get"},
    "/api/v1/vouchers/programmes/{id}/budget": {"get"},
    "/api/v1/vouchers/programmes/{id}/providers": {"get"},
    "/api/v1/agencies/": {"get", "post"},
    "/api/v1/agencies/{id}/": {"get", "patch"},
    "/api/v1/agencies/{id}/approve": {"post"},
    "/api/v1/agencies/{id}/filings/": {"get", "post"},
    "/api/v1/agencies/{id}/return": {"post"},
    "/api/v1/agencies/{id}/revise": {"post"},
    "/api/v1/agencies/{id}/submit": {"post"},
    "/api/v1/agencies/help-requests/": {"get", "post"},
    "/api/v1/agencies/help-requests/{id}/": {"get"},
    "/api/v1/agencies/help-requests/{id}/accept": {"post"},
    "/api/v1/agencies/help-requests/{id}/decline": {"post"},
    "/api/v1/agencies/help-requests/{id}/withdraw": {"post"},
    "/api/v1/brokers/": {"get", "post"},
    "/api/v1/brokers/{id}/": {"get"},
    "/api/v1/annual-reports/": {"get"},
    "/api/v1/annual-reports/overview/": {"get"},
    "/api/v1/annual-reports/{id}/": {"get", "patch"},
    "/api/v1/annual-reports/{id}/accept": {"post"},
    "/api/v1/annual-reports/{id}/forward": {"post"},
    "/api/v1/annual-reports/{id}/return": {"post"},
    "/api/v1/annual-reports/{id}/submit": {"post"},
    "/api/v1/deals/": {"get", "post"},
    "/api/v1/deals/{id}/": {"get", "patch"},
    "/api/v1/deals/{id}/complete": {"post"},
    "/api/v1/deals/{id}/objections/": {"get", "post"},
    "/api/v1/deals/{id}/objections/{objection_pk}/answer": {"post"},
    "/api/v1/deals/{id}/publicise": {"post"},
    "/api/v1/deals/{id}/withdraw": {"post"},
    "/api/v1/mobility/": {"get", "post"},
    "/api/v1/mobility/{id}/": {"delete", "get", "patch"},
    "/api/v1/publicity/": {"get"},
    "/api/v1/publicity/{id}/": {"get"},
    "/api/v1/reward-plans/": {"get", "post"},
    "/api/v1/reward-plans/{id}/": {"get", "patch"},
    "/api/v1/reward-plans/{id}/allocations/": {"post"},
    "/api/v1/reward-plans/{id}/allocations/{allocation_pk}/": {"delete", "patch"},
    "/api/v1/reward-plans/{id}/allocations/{allocation_pk}/payments/": {"post"},
    "/api/v1/reward-plans/{id}/approve": {"post"},
    "/api/v1/reward-plans/{id}/costs/": {"post"},
    "/api/v1/reward-plans/{id}/costs/{cost_pk}/": {"delete"},
    "/api/v1/sci-reports/": {"get", "post"},
    "/api/v1/sci-reports/coverage/": {"get"},
    "/api/v1/sci-reports/{id}/": {"get", "patch"},
    "/api/v1/sci-reports/{id}/accept": {"post"},
    "/api/v1/sci-reports/{id}/return": {"post"},
    "/api/v1/sci-reports/{id}/submit": {"post"},
    "/api/v1/sci-reports/{id}/withdraw": {"post"},
    "/api/v1/contracts/": {"get", "post"},
    "/api/v1/contracts/{id}/": {"get", "patch"},
    "/api/v1/contracts/{id}/submit": {"post"},
    "/api/v1/contracts/{id}/return": {"post"},
    "/api/v1/contracts/{id}/dispute": {"post"},
    "/api/v1/contracts/{id}/register": {"post"},
    "/api/v1/contracts/{id}/refuse": {"post"},
    "/api/v1/contracts/{id}/withdraw": {"post"},
    "/api/v1/stats/summary": {"get"},
    "/api/v1/stats/breakdown": {"get"},
    "/api/v1/stats/flows": {"get"},
    "/api/v1/stats/region-groups": {"get"},
    "/api/v1/stats/live": {"get"},
    "/api/v1/achievements/": {"get", "post"},
    "/api/v1/achievements/{id}/": {"get", "patch"},
    "/api/v1/achievements/{id}/submit": {"post"},
    "/api/v1/achievements/{id}/return": {"post"},
    "/api/v1/achievements/{id}/register": {"post"},
    "/api/v1/achievements/{id}/publish": {"post"},
    "/api/v1/achievements/{id}/withdraw": {"post"},
    "/api/v1/achievements/{id}/revise": {"post"},
    "/api/v1/achievements/{id}/attachments": {"post"},
    "/api/v1/achievements/{id}/history": {"get"},
    "/api/v1/code-tables/": {"get"},
    "/api/v1/code-tables/{key}/": {"get"},
    "/api/v1/organisations/": {"get"},
    "/api/v1/organisations/{id}/decide": {"post"},
    "/api/v1/me": {"get"},
    "/api/v1/tokens/": {"get", "post"},
    "/api/v1/tokens/{id}/": {"delete"},
    "/api/v1/workflows/{kind}/{id}": {"get"},
    "/api/v1/workflows/{kind}/{id}/{step}": {"post"},
    "/api/v1/demands/": {"get", "post"},
    "/api/v1/demands/{id}/": {"get", "patch"},
    "/api/v1/demands/{id}/submit": {"post"},
    "/api/v1/demands/{id}/approve": {"post"},
    "/api/v1/demands/{id}/reject": {"post"},
    "/api/v1/demands/{id}/close": {"post"},
    "/api/v1/demands/{id}/mark-matched": {"post"},
    "/api/v1/subscriptions/": {"get", "post"},
    "/api/v1/subscriptions/{id}/": {"get", "patch", "delete"},
    "/api/v1/notifications/": {"get"},
    "/api/v1/notifications/{id}/read": {"post"},
    "/api/v1/challenge-proposals/": {"get"},
    "/api/v1/challenge-proposals/{id}/": {"get", "patch"},
    "/api/v1/challenge-proposals/{id}/attachment": {"post"},
    "/api/v1/challenge-proposals/{id}/submit": {"post"},
    "/api/v1/challenge-proposals/{id}/withdraw": {"post"},
    "/api/v1/challenges/": {"get", "post"},
    "/api/v1/challenges/{id}/": {"get", "patch"},
    "/api/v1/challenges/{id}/approve": {"post"},
    "/api/v1/challenges/{id}/award": {"post"},
    "/api/v1/challenges/{id}/cancel": {"post"},
    "/api/v1/challenges/{id}/proposals/": {"get", "post"},
    "/api/v1/challenges/{id}/questions/": {"get", "post"},
    "/api/v1/challenges/{id}/questions/{question_pk}/answer": {"post"},
    "/api/v1/challenges/{id}/reject": {"post"},
    "/api/v1/challenges/{id}/shortlist": {"post"},
    "/api/v1/challenges/{id}/submit": {"post"},
    "/api/v1/contact-requests/": {"get", "post"},
    "/api/v1/contact-requests/{id}/": {"get"},
    "/api/v1/contact-requests/{id}/abandon": {"post"},
    "/api/v1/contact-requests/{id}/advance": {"post"},
    "/api/v1/contact-requests/{id}/confirm-signing": {"post"},
    "/api/v1/contact-requests/{id}/notes": {"get", "post"},
    "/api/v1/matching/achievements/{id}": {"get"},
    "/api/v1/matching/achievements/{id}/similar": {"get"},
    "/api/v1/matching/demands/{id}": {"get"},
    "/api/v1/matching/search": {"get"},
    "/api/v1/matching/status": {"get"},
    "/api/v1/ip-records/": {"get", "post"},
    "/api/v1/ip-records/analysis": {"get"},
    "/api/v1/ip-records/fees-due": {"get"},
    "/api/v1/ip-records/{id}/": {"get", "patch"},
    "/api/v1/ip-records/{id}/fees/": {"post"},
    "/api/v1/ip-records/{id}/fees/{fee_pk}/pay": {"post"},
    "/api/v1/ip-records/{id}/publish": {"post"},
    "/api/v1/ip-records/{id}/withdraw": {"post"},
    "/api/v1/carriers/": {"get", "post"},
    "/api/v1/carriers/incubation": {"get"},
    "/api/v1/carriers/{id}/": {"get", "patch"},
    "/api/v1/carriers/{id}/approve": {"post"},
    "/api/v1/carriers/{id}/firms/": {"get", "post"},
    "/api/v1/carriers/{id}/firms/{firm_pk}/": {"get", "patch"},
    "/api/v1/carriers/{id}/return": {"post"},
    "/api/v1/carriers/{id}/submit": {"post"},
    "/api/v1/carriers/{id}/withdraw": {"post"},
    "/api/v1/commissioners/": {"get", "post"},
    "/api/v1/commissioners/activity": {"get"},
    "/api/v1/commissioners/assignments/{id}/visits/": {"post"},
    "/api/v1/commissioners/visits/": {"get"},
    "/api/v1/commissioners/visits/{id}/": {"get"},
    "/api/v1/commissioners/visits/{id}/confirm": {"post"},
    "/api/v1/commissioners/{id}/": {"get"},
    "/api/v1/commissioners/{id}/assignments/": {"post"},
    "/api/v1/consultations/": {"get", "post"},
    "/api/v1/consultations/{id}/": {"get"},
    "/api/v1/consultations/{id}/accept": {"post"},
    "/api/v1/consultations/{id}/decline": {"post"},
    "/api/v1/consultations/{id}/finish": {"post"},
    "/api/v1/consultations/{id}/withdraw": {"post"},
    "/api/v1/expert-claims/": {"get"},
    "/api/v1/expert-claims/{id}/": {"get"},
    "/api/v1/expert-claims/{id}/approve": {"post"},
    "/api/v1/expert-claims/{id}/refuse": {"post"},
    "/api/v1/expert-claims/{id}/withdraw": {"post"},
    "/api/v1/experts/{id}": {"get"},
    "/api/v1/experts/{id}/claims": {"post"},
    "/api/v1/experts/{id}/profile": {"patch"},
    "/api/v1/experts/{id}/merge": {"post"},
    "/api/v1/experts/{id}/merges": {"get"},
    "/api/v1/experts/{id}/merges/{merge_pk}/split": {"post"},
    "/api/v1/funding-projects/": {"get", "post"},
    "/api/v1/funding-projects/requests/": {"get"},
    "/api/v1/funding-projects/requests/{id}/": {"get"},
    "/api/v1/funding-projects/requests/{id}/decline": {"post"},
    "/api/v1/funding-projects/requests/{id}/interest": {"post"},
    "/api/v1/funding-projects/requests/{id}/invest": {"post"},
    "/api/v1/funding-projects/requests/{id}/no-deal": {"post"},
    "/api/v1/funding-projects/{id}/": {"get", "patch"},
    "/api/v1/funding-projects/{id}/close": {"post"},
    "/api/v1/funding-projects/{id}/matches": {"get"},
    "/api/v1/funding-projects/{id}/open": {"post"},
    "/api/v1/funding-projects/{id}/requests/": {"get", "post"},
    "/api/v1/investors/": {"get", "post"},
    "/api/v1/investors/{id}/": {"get", "patch"},
    "/api/v1/investors/{id}/publish": {"post"},
    "/api/v1/investors/{id}/withdraw": {"post"},
    "/api/v1/packages/": {"get", "post"},
    "/api/v1/packages/key-fields/": {"get", "post"},
    "/api/v1/packages/{id}/": {"get", "patch"},
    "/api/v1/packages/{id}/achievements/": {"post"},
    "/api/v1/packages/{id}/publish": {"post"},
    "/api/v1/packages/{id}/suggestions": {"get"},
    "/api/v1/packages/{id}/withdraw": {"post"},
}


@pytest.fixture(scope="module")
def schema(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What CI checks: `manage.py spectacular --validate --fail-on-warn` (it raises on any warning)."""
    out: Path = tmp_path_factory.mktemp("schema") / "openapi.json"
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", "--file", str(out))
    return json.loads(out.read_text(encoding="utf-8"))


class TestOpenApiSchema:
    def test_it_documents_every_route_with_its_methods(self, schema: dict) -> None:
        documented = {path: set(operations) for path, operations in schema["paths"].items()}
        assert documented == ROUTES

    def test_lists_are_paginated_with_limit_and_offset(self, schema: dict) -> None:
        listing = schema["paths"]["/api/v1/achievements/"]["get"]
        parameters = {p["name"] for p in listing["parameters"]}
        assert {"limit", "offset", "q", "status", "field", "district", "transfer_mode"} <= parameters
        page = schema["components"]["schemas"]["PaginatedAchievementSummaryList"]["properties"]
        assert set(page) == {"count", "next", "previous", "results"}

    def test_code_fields_are_documented_as_codes_with_labels(self, schema: dict) -> None:
        detail = schema["components"]["schemas"]["AchievementDetail"]["properties"]
        assert detail["high_tech_field"]["type"] == "string" and "high_tech_field_label" in detail
        create = schema["components"]["schemas"]["AchievementCreateRequest"]
        assert {"achievement_type", "name", "summary"} <= set(create["required"])

    def test_token_authentication_is_documented(self, schema: dict) -> None:
        scheme = schema["components"]["securitySchemes"]["tokenAuth"]
        assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")

    def test_writes_document_the_error_shape(self, schema: dict) -> None:
        responses = schema["paths"]["/api/v1/achievements/{id}/submit"]["post"]["responses"]
        for code in ("400", "401", "403", "404", "409"):
            assert responses[code]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"

    def test_it_is_served_as_json(self, client: Client) -> None:
        response = client.get("/api/v1/openapi.json")
        assert response.status_code == 200 and "json" in response["Content-Type"]
        assert response.json()["openapi"].startswith("3.")


URL_ATTRIBUTE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")


class TestDocsPages:
    @pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
    def test_they_load_everything_from_this_server(self, client: Client, page: str) -> None:
        response = client.get(page)
        assert response.status_code == 200
        html = response.content.decode()
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html, re.IGNORECASE), "an external URL"
        urls = URL_ATTRIBUTE.findall(html)
        assert any(u.endswith(".js") for u in urls)
        for url in urls:
            if url == page + "?script=":
                continue  # Swagger UI's start-up script, served by the page's own view (no inline script: CSP)
            assert url.startswith("/static/"), url
            assert finders.find(url.removeprefix("/static/")), f"{url} is not a static file of the project"

    def test_swagger_ui_reads_the_local_schema(self, client: Client) -> None:
        assert '<script src="/api/v1/docs/?script="></script>' in client.get("/api/v1/docs/").content.decode()
        script = client.get("/api/v1/docs/?script=")
        assert "javascript" in script["Content-Type"]
        assert '"/api/v1/openapi.json"' in script.content.decode()
