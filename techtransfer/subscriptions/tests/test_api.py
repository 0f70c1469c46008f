"""The subscriptions and notifications API: personal, one error shape, another user's objects are 404s."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from techtransfer.accounts.models import ApiToken, User
from techtransfer.subscriptions.models import Notification, Subscription
from techtransfer.subscriptions.tests.helpers import subscribe
from techtransfer.testing import Personas


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        _token, key = ApiToken.issue(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "extra"}
    return body


def notify(user: User, object_id: int, title: str, **kwargs: Any) -> Notification:
    return Notification.objects.create(
        user=user, kind="demand", object_id=object_id, title=title, url=f"/demands/{object_id}/", **kwargs
    )


class TestSubscriptionsApi:
    def test_create_read_change_and_delete(self, p: Personas) -> None:
        api = client_for(p.outsider)
        created = api.post(
            "/api/v1/subscriptions/",
            {
                "name": "电池",
                "kinds": ["demand", "achievement"],
                "fields": ["energy"],
                "regions": ["110108"],
                "keywords": "锂电池,钠电池",
                "frequency": "weekly",
            },
            format="json",
        )
        assert created.status_code == 201, created.content
        body = created.json()
        assert body["kinds"] == ["achievement", "demand"] and body["keywords"] == "锂电池 钠电池"
        assert body["fields"] == ["energy"] and body["fields_labels"] == ["New energy and energy efficiency"]
        assert body["regions"] == ["110108"] and body["email_enabled"] is True and body["last_checked_at"] is None
        pk = body["id"]
        listing = api.get("/api/v1/subscriptions/").json()
        assert listing["count"] == 1 and listing["results"][0]["id"] == pk
        changed = api.patch(f"/api/v1/subscriptions/{pk}/", {"fields": [], "email_enabled": False}, format="json")
        assert (
            changed.status_code == 200 and changed.json()["fields"] == [] and changed.json()["email_enabled"] is False
        )
        assert changed.json()["regions"] == ["110108"]  # lists not sent stay
        assert api.get(f"/api/v1/subscriptions/{pk}/").json()["name"] == "电池"
        assert api.delete(f"/api/v1/subscriptions/{pk}/").status_code == 204
        assert not Subscription.objects.exists()

    def test_another_users_subscription_is_404_for_every_operation(self, p: Personas) -> None:
        sub = subscribe(p.outsider, keywords="锂电池")
        api = client_for(p.other_tto)
        url = f"/api/v1/subscriptions/{sub.pk}/"
        error(api.get(url), 404)
        error(api.patch(url, {"name": "别人的"}, format="json"), 404)
        error(api.delete(url), 404)
        assert api.get("/api/v1/subscriptions/").json()["count"] == 0
        assert Subscription.objects.get().name == "测试订阅"

    def test_anonymous_is_refused(self, p: Personas) -> None:
        sub = subscribe(p.outsider, keywords="锂电池")
        api = client_for(None)
        for response in (
            api.get("/api/v1/subscriptions/"),
            api.post("/api/v1/subscriptions/", {"name": "x", "kinds": ["demand"]}, format="json"),
            api.get(f"/api/v1/subscriptions/{sub.pk}/"),
            api.get("/api/v1/notifications/"),
        ):
            error(response, 401)

    def test_invalid_input_is_a_400_naming_the_fields(self, p: Personas) -> None:
        api = client_for(p.outsider)
        bad = error(
            api.post(
                "/api/v1/subscriptions/",
                {"name": "x", "kinds": ["patent"], "fields": ["rocketry"], "colour": "red"},
                format="json",
            ),
            400,
        )
        assert set(bad["extra"]["fields"]) == {"colour"}  # unknown keys are refused first
        bad = error(
            api.post(
                "/api/v1/subscriptions/", {"name": "x", "kinds": ["patent"], "fields": ["rocketry"]}, format="json"
            ),
            400,
        )
        assert {"kinds", "fields"} <= set(bad["extra"]["fields"])
        bad = error(
            api.post(
                "/api/v1/subscriptions/", {"name": "x", "kinds": ["demand"], "filters": {"owner": ["1"]}}, format="json"
            ),
            400,
        )
        assert "filters" in bad["extra"]["fields"]
        sub = subscribe(p.outsider)
        error(api.patch(f"/api/v1/subscriptions/{sub.pk}/", {}, format="json"), 400)
        assert Subscription.objects.count() == 1


class TestNotificationsApi:
    def test_list_unread_first_filter_and_mark_read(self, p: Personas) -> None:
        read = notify(p.outsider, 1, "已读")
        read.read_at = read.created
        read.save()
        unread = notify(p.outsider, 2, "未读")
        notify(p.other_tto, 3, "别人的")
        api = client_for(p.outsider)
        listing = api.get("/api/v1/notifications/").json()
        assert [n["title"] for n in listing["results"]] == ["未读", "已读"]
        assert listing["results"][0]["url"] == "http://testserver/demands/2/"
        assert [n["id"] for n in api.get("/api/v1/notifications/?unread=true").json()["results"]] == [unread.pk]
        marked = api.post(f"/api/v1/notifications/{unread.pk}/read")
        assert marked.status_code == 200 and marked.json()["read_at"] is not None
        assert api.get("/api/v1/notifications/?unread=true").json()["count"] == 0

    def test_another_users_notification_is_404(self, p: Personas) -> None:
        theirs = notify(p.outsider, 1, "路人的")
        error(client_for(p.other_tto).post(f"/api/v1/notifications/{theirs.pk}/read"), 404)
        theirs.refresh_from_db()
        assert theirs.read_at is None
