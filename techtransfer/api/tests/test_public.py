"""Code tables and organisations (public), and /me (signed in)."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.test import APIClient

from techtransfer.accounts.models import ApiToken
from techtransfer.testing import Personas


class TestCodeTablesApi:
    def test_anyone_lists_the_current_tables(self, db: None) -> None:
        response = APIClient().get(reverse("api:code-tables"), {"limit": 100})
        assert response.status_code == 200
        keys = {t["key"] for t in response.json()["results"]}
        assert {"high_tech_field", "region", "transfer_mode", "industry"} <= keys
        assert response.json()["count"] == len(keys)

    def test_a_table_lists_its_items_with_labels_in_both_languages(self, db: None) -> None:
        table = APIClient().get(reverse("api:code-table", args=["high_tech_field"]), HTTP_ACCEPT_LANGUAGE="zh-hans").json()
        items = {i["code"]: i for i in table["items"]}
        assert items["biomedicine"]["label_zh"] == "生物、医药和医疗器械"
        assert items["biomedicine"]["label"] == "生物、医药和医疗器械"  # Chinese asked for
        english = APIClient().get(reverse("api:code-table", args=["high_tech_field"]), HTTP_ACCEPT_LANGUAGE="en")
        labels = {i["code"]: i["label"] for i in english.json()["items"]}
        assert labels["biomedicine"] == items["biomedicine"]["label_en"] != items["biomedicine"]["label_zh"]

    def test_items_name_their_parent(self, db: None) -> None:
        items = APIClient().get(reverse("api:code-table", args=["industry"])).json()["items"]
        assert any(i["parent"] for i in items) and any(i["parent"] is None for i in items)

    def test_an_unknown_table_is_a_404_in_the_error_shape(self, db: None) -> None:
        response = APIClient().get(reverse("api:code-table", args=["no_such_table"]))
        assert response.status_code == 404 and set(response.json()) == {"message", "extra"}


class TestOrganisationListApi:
    def test_anyone_lists_organisations_with_their_region(self, p: Personas) -> None:
        results = APIClient().get(reverse("api:organisations"), HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"]
        university = next(o for o in results if o["id"] == p.university.pk)
        assert university["region"] == "110108" and university["region_label"] == "海淀区"
        assert university["org_type"] == "university" and university["org_type_label"]

    def test_it_filters_by_type_and_region(self, p: Personas) -> None:
        by_region = APIClient().get(reverse("api:organisations"), {"region": "110105"}).json()
        assert [o["id"] for o in by_region["results"]] == [p.other_university.pk]
        by_type = APIClient().get(reverse("api:organisations"), {"org_type": "registration_body"}).json()
        assert [o["id"] for o in by_type["results"]] == [p.commission.pk]
        bad = APIClient().get(reverse("api:organisations"), {"org_type": "castle"})
        assert bad.status_code == 400 and "org_type" in bad.json()["extra"]["fields"]


class TestMeApi:
    def test_it_shows_the_user_and_their_memberships(self, p: Personas) -> None:
        _token, key = ApiToken.issue(user=p.tto_officer, name="t")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        me = client.get(reverse("api:me")).json()
        assert me["username"] == p.tto_officer.username and me["is_commission_admin"] is False
        assert [(m["organisation"]["id"], m["role"]) for m in me["memberships"]] == [(p.university.pk, "tto_officer")]

    def test_an_outsider_belongs_nowhere(self, p: Personas) -> None:
        client = APIClient()
        client.force_login(p.outsider)
        assert client.get(reverse("api:me")).json()["memberships"] == []

    def test_anonymous_is_asked_to_authenticate(self, db: None) -> None:
        response = APIClient().get(reverse("api:me"))
        assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
