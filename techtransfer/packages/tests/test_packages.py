"""Achievement packages end to end: the key field table, curating (only published achievements), the
suggestions from the key field's demands, publishing with notifications to the subscribers, and who may do
and read what on the pages and in the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from techtransfer.accounts.models import User
from techtransfer.core.codetables import code_item
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.models import CodeTable
from techtransfer.market.tests.helpers import make_enterprise
from techtransfer.matching import store
from techtransfer.packages import selectors, services
from techtransfer.packages.choices import PackageStatus
from techtransfer.packages.models import KeyFieldSubscription, Package
from techtransfer.packages.tests.helpers import (
    BATTERY,
    BATTERY_DEMAND,
    VACCINE,
    VACCINE_DEMAND,
    make_package,
    published_achievement,
    published_demand,
)
from techtransfer.subscriptions.models import Notification
from techtransfer.testing import Personas, make_achievement, step_url

pytestmark = pytest.mark.django_db
API = "/api/v1/packages/"
STRANGERS = ["anonymous", "outsider", "tto_officer"]


def who(p: Personas, name: str) -> User | None:
    return None if name == "anonymous" else getattr(p, name)


def page_client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def vaccine(p: Personas, django_capture_on_commit_callbacks: Any) -> Any:
    store.clear_cache()
    return published_achievement(p, django_capture_on_commit_callbacks, VACCINE)


# ---------------------------------------------------------------- the key field table


def test_the_key_fields_are_a_versioned_unconfirmed_code_table_with_their_sources() -> None:
    table = CodeTable.objects.get(key="key_field", is_current=True)
    assert table.confirmed is False and "/work/shared/seed" in table.source
    codes = list(selectors.key_fields().values_list("code", flat=True))
    assert codes == ["mobile_5g", "digital_manufacturing", "biomedicine", "new_energy_vehicle", "rail_transit",
                     "ecology", "urban_management", "food_safety"]
    assert code_item("key_field", "mobile_5g").label_en == "5G and mobile internet"
    rules = selectors.key_field_rules()
    assert rules["biomedicine"].high_tech_fields == ("biomedicine",)
    assert "轨道交通" in rules["rail_transit"].keywords


# ---------------------------------------------------------------- curating


def test_an_editor_curates_a_package_of_published_achievements_in_order_with_notes(p: Personas, vaccine: Any) -> None:
    draft = make_achievement(p)  # not published: cannot be picked
    package = make_package(p)
    with pytest.raises(ValidationError) as exc:
        services.package_items_set(package=package, by=p.reviewer, items=[(vaccine.pk, ""), (draft.pk, "")])
    assert str(services.NOT_PUBLIC % {"ids": draft.pk}) in str(exc.value)
    services.package_items_set(package=package, by=p.commission_admin, items=[(vaccine.pk, "疫苗企业首选")])
    shown = selectors.package_get(user=p.reviewer, pk=package.pk).shown_items
    assert [(i.achievement_id, i.note) for i in shown] == [(vaccine.pk, "疫苗企业首选")]
    with pytest.raises(PermissionDenied):
        services.package_items_set(package=package, by=p.tto_officer, items=[])
    with pytest.raises(PermissionDenied):
        services.package_create(by=p.outsider, data={"key_field": code_item("key_field", "ecology"), "title": "x"})


def test_bad_input_names_the_field(p: Personas) -> None:
    with pytest.raises(ValidationError) as exc:
        services.package_create(by=p.reviewer, data={"key_field": code_item("high_tech_field", "energy"), "title": ""})
    assert set(exc.value.message_dict) == {"key_field", "title"}


def test_publish_needs_an_achievement_then_withdraw_and_the_key_field_is_locked_while_published(
    p: Personas, vaccine: Any
) -> None:
    package = make_package(p)
    with pytest.raises(ValidationError) as exc:
        services.package_publish(package=package, by=p.reviewer)
    assert str(services.EMPTY_PACKAGE) in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.package_publish(package=package, by=p.tto_officer)
    services.package_items_set(package=package, by=p.reviewer, items=[(vaccine.pk, "")])
    package = services.package_publish(package=package, by=p.reviewer)
    assert package.status == PackageStatus.PUBLISHED and package.published_at is not None
    with pytest.raises(ApplicationError):
        services.package_publish(package=package, by=p.reviewer)
    with pytest.raises(ApplicationError):
        services.package_update(package=package, by=p.reviewer, data={"key_field": code_item("key_field", "ecology")})
    package = services.package_withdraw(package=package, by=p.reviewer, reason="更新中")
    assert package.status == PackageStatus.WITHDRAWN
    assert not selectors.package_list(user=None).filter(pk=package.pk).exists()


# ---------------------------------------------------------------- suggestions


def test_suggestions_come_from_the_demands_of_the_key_field(
    p: Personas, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    store.clear_cache()
    capture = django_capture_on_commit_callbacks
    vaccine = published_achievement(p, capture, VACCINE)
    battery = published_achievement(p, capture, BATTERY)
    ent = make_enterprise()
    vaccine_demand = published_demand(p, capture, VACCINE_DEMAND, ent)
    published_demand(p, capture, BATTERY_DEMAND, ent)  # a demand of digital manufacturing, not of biomedicine
    bio = make_package(p, "biomedicine")
    suggestions = selectors.package_suggestions(package=bio)
    ids = [s.achievement.pk for s in suggestions]
    assert vaccine.pk in ids and battery.pk not in ids
    first = suggestions[ids.index(vaccine.pk)]
    assert [a.demand.pk for a in first.answers] == [vaccine_demand.pk]
    assert "疫苗" in " ".join(first.reason_words) or "佐剂" in " ".join(first.reason_words)
    manufacturing = make_package(p, "digital_manufacturing", title="数字制造成果包")
    assert battery.pk in [s.achievement.pk for s in selectors.package_suggestions(package=manufacturing)]
    # On the edit page: the suggestion, the demand it answers and the one click that adds it.
    client.force_login(p.reviewer)
    html = client.get(reverse("packages:edit", args=[bio.pk])).content.decode()
    assert f'data-id="{vaccine.pk}"' in html and f'data-id="{battery.pk}"' not in html
    assert VACCINE_DEMAND["title"] in html
    response = client.post(reverse("packages:item_add", args=[bio.pk]), {"achievement": vaccine.pk})
    assert response.status_code == 302
    assert list(bio.items.values_list("achievement_id", flat=True)) == [vaccine.pk]
    assert vaccine.pk not in [s.achievement.pk for s in selectors.package_suggestions(package=bio)]
    api = api_client(p.reviewer).get(f"{API}{manufacturing.pk}/suggestions")
    assert api.status_code == 200 and battery.pk in [s["achievement"] for s in api.json()]


# ---------------------------------------------------------------- publication and subscription


def test_subscribers_of_the_key_field_are_notified_when_a_package_is_published(
    p: Personas, vaccine: Any, django_capture_on_commit_callbacks: Any
) -> None:
    page_client(p.researcher).post(reverse("packages:subscribe"), {"key_field": "biomedicine"})
    api = api_client(p.other_tto).post(f"{API}key-fields/", {"key_field": "ecology"}, format="json")
    assert api.status_code == 200
    assert KeyFieldSubscription.objects.filter(user=p.researcher, key_field__code="biomedicine").exists()
    package = make_package(p, achievements=[vaccine])
    with django_capture_on_commit_callbacks(execute=True):
        services.package_publish(package=package, by=p.reviewer)
    told = Notification.objects.filter(kind="package", object_id=package.pk)
    assert list(told.values_list("user__username", flat=True)) == ["researcher"]
    note = told.get()
    assert note.url == reverse("packages:detail", args=[package.pk]) and note.event == "package.publish"
    assert package.title in note.sentence


def test_the_public_list_searches_and_facets_by_key_field(p: Personas, vaccine: Any) -> None:
    published = make_package(p, achievements=[vaccine], publish=True)
    draft = make_package(p, "ecology", title="生态环境成果包草稿")
    html = Client().get(reverse("packages:list"), {"key_field": "biomedicine"}).content.decode()
    assert f'id="package-{published.pk}"' in html and f'id="package-{draft.pk}"' not in html
    assert Client().get(reverse("packages:list"), {"q": "不存在的词"}).content.decode().count("package-") == 0
    detail = Client().get(reverse("packages:detail", args=[published.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert detail.status_code == 200 and "Biomedicine package" in detail.content.decode()
    assert vaccine.display_name in detail.content.decode()
    data = api_client(None).get(API, {"key_field": "biomedicine"}).json()
    assert [r["id"] for r in data["results"]] == [published.pk] and data["results"][0]["achievement_count"] == 1
    assert api_client(None).get(API, {"key_field": "nope"}).status_code == 400


# ---------------------------------------------------------------- who may do what


@pytest.mark.parametrize("name", STRANGERS)
def test_strangers_cannot_see_drafts_nor_edit_on_pages_or_in_the_api(p: Personas, vaccine: Any, name: str) -> None:
    user = who(p, name)
    draft = make_package(p, achievements=[vaccine])
    published = make_package(p, achievements=[vaccine], publish=True, title="已发布成果包")
    page, api = page_client(user), api_client(user)
    assert page.get(reverse("packages:detail", args=[draft.pk])).status_code == 404
    assert draft.title not in page.get(reverse("packages:list")).content.decode()
    assert api.get(f"{API}{draft.pk}/").status_code == 404
    assert draft.pk not in [r["id"] for r in api.get(API, {"status": "draft"}).json()["results"]]
    assert page.get(reverse("packages:detail", args=[published.pk])).status_code == 200
    refused = {403, 302} if user is None else {403}
    assert page.get(reverse("packages:new")).status_code in refused
    assert page.get(reverse("packages:edit", args=[published.pk])).status_code in refused
    assert page.post(reverse("packages:item_add", args=[published.pk]), {"achievement": vaccine.pk}).status_code in refused
    assert page.post(step_url(published, "withdraw")).status_code in {403, 302, 404}
    api_refused = {401, 403}
    assert api.post(API, {"key_field": "ecology", "title": "x"}, format="json").status_code in api_refused
    assert api.patch(f"{API}{published.pk}/", {"title": "改"}, format="json").status_code in api_refused
    assert api.patch(f"{API}{draft.pk}/", {"title": "改"}, format="json").status_code in api_refused | {404}
    assert api.post(f"{API}{published.pk}/achievements/", {"achievement": vaccine.pk}, format="json").status_code in api_refused
    assert api.get(f"{API}{published.pk}/suggestions").status_code in api_refused
    assert api.post(f"{API}{published.pk}/withdraw", {}, format="json").status_code in api_refused
    assert api.post(f"{API}{draft.pk}/publish", {}, format="json").status_code in api_refused | {404}
    published.refresh_from_db()
    assert published.status == PackageStatus.PUBLISHED and published.title == "已发布成果包"
    assert Package.objects.get(pk=draft.pk).status == PackageStatus.DRAFT


def test_the_editor_works_through_the_api(p: Personas, vaccine: Any) -> None:
    api = api_client(p.commission_admin)
    created = api.post(API, {"key_field": "biomedicine", "title": "API成果包",
                             "achievements": [{"achievement": vaccine.pk, "note": "首选"}]}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["achievements"][0]["note"] == "首选" and "publish" in str(created.json()["allowed_actions"])
    bad = api.patch(f"{API}{pk}/", {"achievements": [{"achievement": 999999}]}, format="json")
    assert bad.status_code == 400 and "items" in str(bad.json())
    published = api.post(f"{API}{pk}/publish", {}, format="json")
    assert published.status_code == 200 and published.json()["status"] == "published"
    # The OpenAPI document of this app's routes (generated as the project's document is).
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator(patterns=[path("api/v1/", include("techtransfer.packages.api_urls"))]).get_schema(
        request=None, public=True)
    assert "/api/v1/packages/{id}/suggestions" in schema["paths"]
    assert "/api/v1/packages/{id}/publish" in schema["paths"]


def test_the_pages_work_for_the_editor_in_both_languages(p: Personas, vaccine: Any) -> None:
    client = page_client(p.reviewer)
    response = client.post(reverse("packages:new"), {"key_field": code_item("key_field", "ecology").pk, "title": "",
                                                     "cover": "x"})
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    response = client.post(reverse("packages:new"), {"key_field": code_item("key_field", "biomedicine").pk,
                                                     "title": "页面成果包", "cover": "面向疫苗企业。"})
    package = Package.objects.get(title="页面成果包")
    assert response.status_code == 302
    client.post(reverse("packages:item_add", args=[package.pk]), {"achievement": vaccine.pk})
    client.post(reverse("packages:items", args=[package.pk]), {f"item-{vaccine.pk}-note": "企业可直接应用",
                                                               f"item-{vaccine.pk}-position": "1"})
    assert package.items.get().note == "企业可直接应用"
    for language in ("zh-hans", "en"):
        for url in (reverse("packages:edit", args=[package.pk]), reverse("packages:detail", args=[package.pk]),
                    reverse("packages:list")):
            assert client.get(url, HTTP_ACCEPT_LANGUAGE=language).status_code == 200
    assert client.post(step_url(package, "publish")).status_code == 302
    package.refresh_from_db()
    assert package.status == PackageStatus.PUBLISHED


def test_an_achievement_answering_more_demands_of_the_field_comes_first(
    p: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    store.clear_cache()
    capture = django_capture_on_commit_callbacks
    vaccine = published_achievement(p, capture, VACCINE)
    ent = make_enterprise()
    first = published_demand(p, capture, VACCINE_DEMAND, ent)
    second = published_demand(p, capture, dict(VACCINE_DEMAND, title="流感疫苗佐剂与纳米乳工艺",
                                               description="寻求纳米乳佐剂提高流感疫苗免疫原性。"), ent)
    suggestions = selectors.package_suggestions(package=make_package(p))
    top = suggestions[0]
    assert top.achievement.pk == vaccine.pk and {a.demand.pk for a in top.answers} == {first.pk, second.pk}
    assert top.demand_count == 2 and top.score == pytest.approx(sum(a.score for a in top.answers))


def test_the_workbench_offers_the_packages_to_editors_only(p: Personas) -> None:
    from techtransfer.core.workbench import shortcuts_for

    assert "achievement_packages" in [s.key for s, _url in shortcuts_for(p.reviewer)]
    assert "achievement_packages" not in [s.key for s, _url in shortcuts_for(p.tto_officer)]
