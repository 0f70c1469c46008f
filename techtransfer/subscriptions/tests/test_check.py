"""The digest check: which new records match, the in-site notifications, and the one e-mail per user."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from techtransfer.core.codetables import code_item
from techtransfer.market.tests.helpers import make_enterprise
from techtransfer.subscriptions import services, tasks
from techtransfer.subscriptions.models import Notification, Subscription
from techtransfer.subscriptions.tests.helpers import (
    BATTERY,
    publish_achievement,
    publish_battery,
    publish_demand,
    subscribe,
)
from techtransfer.testing import Personas

DAY = datetime.timedelta(days=1)


def check(now: datetime.datetime | None = None, **kwargs: Any) -> services.CheckResult:
    return services.subscriptions_check(now=now or timezone.now(), **kwargs)


def notified(user: Any) -> set[tuple[str, int]]:
    return set(Notification.objects.filter(user=user).values_list("kind", "object_id"))


class TestMatching:
    def test_only_records_published_after_the_subscription_or_last_check_are_notified(
        self, p: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        old = publish_battery(p, django_capture_on_commit_callbacks)
        sub = subscribe(p.outsider, keywords="锂电池")
        first = check()
        assert notified(p.outsider) == set() and first.subscriptions == 1
        sub.refresh_from_db()
        assert sub.last_checked_at is not None
        new = publish_achievement(
            p, django_capture_on_commit_callbacks, **{**BATTERY, "name": "新型锂电池隔膜涂布工艺"}
        )
        # Notified as soon as it is published and indexed (a job), not only by the daily check; the e-mail
        # waits for the digest.
        assert notified(p.outsider) == {("achievement", new.pk)} and mail.outbox == []
        assert Notification.objects.get(user=p.outsider).digest_pending
        # Not due yet: a daily subscription waits a day after its check; then the digest goes out, once.
        assert check().subscriptions == 0 and mail.outbox == []
        assert check(timezone.now() + DAY).emails == 1
        assert notified(p.outsider) == {("achievement", new.pk)}
        assert ("achievement", old.pk) not in notified(p.outsider)

    def test_keywords_need_a_whole_word_and_any_keyword_will_do(
        self, p: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        whole = subscribe(p.outsider, name="电池", keywords="锂电池, 石墨烯")
        part = subscribe(p.outsider, name="钠电池", keywords="钠电池")
        battery = publish_battery(p, django_capture_on_commit_callbacks)
        publish_achievement(p, django_capture_on_commit_callbacks)  # the lung-nodule default: no battery
        check()
        rows = list(Notification.objects.filter(user=p.outsider))
        assert [(n.subscription_id, n.object_id, n.reason) for n in rows] == [(whole.pk, battery.pk, "锂电池")]
        assert rows[0].url == f"/achievements/{battery.pk}/" and rows[0].title == BATTERY["name"]
        assert not Notification.objects.filter(subscription=part).exists()

    def test_kinds_decide_which_records_are_followed(
        self, p: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        achievements_only = subscribe(p.outsider, name="成果", kinds=("achievement",), keywords="涂布")
        demands_only = subscribe(p.outsider, name="需求", kinds=("demand",), keywords="涂布")
        battery = publish_battery(p, django_capture_on_commit_callbacks)
        demand = publish_demand(make_enterprise(), p.reviewer, django_capture_on_commit_callbacks)
        check()
        assert set(achievements_only.notifications.values_list("kind", "object_id")) == {("achievement", battery.pk)}
        assert set(demands_only.notifications.values_list("kind", "object_id")) == {("demand", demand.pk)}
        assert demands_only.notifications.get().url == f"/demands/{demand.pk}/"

    def test_fields_and_regions_filter_the_new_records(
        self, p: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        medicine = subscribe(p.outsider, name="医药", fields=("biomedicine",))
        beijing = subscribe(p.outsider, name="北京", regions=("110000",))
        tianjin = subscribe(p.outsider, name="天津", regions=("120000",))
        manufacturing_haidian = subscribe(p.outsider, name="海淀制造", fields=("manufacturing",), regions=("110108",))
        nodules = publish_achievement(p, django_capture_on_commit_callbacks)  # biomedicine, the university in 110108
        battery = publish_battery(p, django_capture_on_commit_callbacks)  # manufacturing
        check()
        assert set(medicine.notifications.values_list("object_id", flat=True)) == {nodules.pk}
        assert set(beijing.notifications.values_list("object_id", flat=True)) == {nodules.pk, battery.pk}
        assert not tianjin.notifications.exists()
        assert set(manufacturing_haidian.notifications.values_list("object_id", flat=True)) == {battery.pk}

    def test_a_saved_search_applies_its_words_and_its_filters(
        self, p: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        same = services.subscription_from_search(
            by=p.outsider, query="肺结节", filters={"field": ["biomedicine"], "stage": ["middle"]}, name="肺结节"
        )
        other_stage = services.subscription_from_search(
            by=p.outsider, query="肺结节", filters={"stage": ["early"]}, name="早期"
        )
        other_words = services.subscription_from_search(by=p.outsider, query="锂电池", filters={}, name="锂电池")
        nodules = publish_achievement(p, django_capture_on_commit_callbacks)
        check()
        assert set(same.notifications.values_list("object_id", flat=True)) == {nodules.pk}
        assert same.notifications.get().reason == "肺结节"
        assert not other_stage.notifications.exists()
        assert not other_words.notifications.exists()

    def test_a_record_no_longer_public_is_not_notified(
        self, p: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        from techtransfer.achievements import services as achievement_services

        subscribe(p.outsider, keywords="锂电池")
        battery = publish_battery(p, django_capture_on_commit_callbacks)
        # As if the notice on publication had not run, and the record were withdrawn without its index job
        # running: the index still says public, the record does not; the check does not notify it.
        Notification.objects.filter(user=p.outsider).delete()
        achievement_services.achievement_withdraw(achievement=battery, by=p.tto_officer, reason="撤回")
        check()
        assert notified(p.outsider) == set()


class TestDigest:
    def test_one_mail_per_user_lists_every_subscription_with_links(
        self, p: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        subscribe(p.outsider, name="锂电池订阅", keywords="锂电池")
        subscribe(p.outsider, name="医药订阅", fields=("biomedicine",))
        subscribe(p.other_tto, name="别人的订阅", keywords="涂布")
        battery = publish_battery(p, django_capture_on_commit_callbacks)
        nodules = publish_achievement(p, django_capture_on_commit_callbacks)
        result = check()
        assert result.emails == 2 and len(mail.outbox) == 2
        mine = next(m for m in mail.outbox if m.to == [p.outsider.email])
        assert "锂电池订阅" in mine.body and "医药订阅" in mine.body
        assert f"http://127.0.0.1:8000/achievements/{battery.pk}/" in mine.body
        assert f"/achievements/{nodules.pk}/" in mine.body
        html, mimetype = mine.alternatives[0]
        assert mimetype == "text/html" and f'href="http://127.0.0.1:8000/achievements/{battery.pk}/"' in html
        assert "2" in mine.subject
        theirs = next(m for m in mail.outbox if m.to == [p.other_tto.email])
        assert "别人的订阅" in theirs.body and "医药订阅" not in theirs.body

    def test_email_off_notifies_in_the_site_only(self, p: Personas, django_capture_on_commit_callbacks: Any) -> None:
        subscribe(p.outsider, keywords="锂电池", email_enabled=False)
        battery = publish_battery(p, django_capture_on_commit_callbacks)
        result = check()
        assert notified(p.outsider) == {("achievement", battery.pk)}
        assert mail.outbox == [] and result.emails == 0

    def test_a_rerun_notifies_and_mails_nothing_more(
        self, p: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        sub = subscribe(p.outsider, keywords="锂电池")
        publish_battery(p, django_capture_on_commit_callbacks)
        now = timezone.now()
        check(now)
        assert len(mail.outbox) == 1 and Notification.objects.filter(user=p.outsider).count() == 1
        # The same run again, and a forced re-check of the same window (as if the checkpoint were lost).
        again = check(now)
        assert (again.subscriptions, again.notifications, again.emails) == (0, 0, 0)
        Subscription.objects.filter(pk=sub.pk).update(last_checked_at=None)
        forced = check(now)
        assert forced.subscriptions == 1 and forced.notifications == 0 and forced.emails == 0
        assert len(mail.outbox) == 1 and Notification.objects.filter(user=p.outsider).count() == 1

    def test_a_long_list_is_cut_with_and_n_more(
        self, p: Personas, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(services, "DIGEST_ITEMS_PER_SUBSCRIPTION", 1)
        p.outsider.preferred_language = "en"  # the words checked below are the English ones
        p.outsider.save(update_fields=["preferred_language"])
        subscribe(p.outsider, keywords="锂电池 肺结节")
        publish_battery(p, django_capture_on_commit_callbacks)
        publish_achievement(p, django_capture_on_commit_callbacks, keywords=["肺结节"])
        publish_achievement(p, django_capture_on_commit_callbacks, name="肺结节随访管理平台", keywords=["肺结节"])
        check()
        body = mail.outbox[0].body
        assert "and 2 more" in body and "/subscriptions/notifications/" in body
        assert Notification.objects.filter(user=p.outsider).count() == 3

    def test_the_mail_is_in_the_users_language_else_chinese(
        self, p: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        p.other_tto.preferred_language = "en"
        p.other_tto.save()
        subscribe(p.outsider, keywords="锂电池")  # no language stored
        subscribe(p.other_tto, keywords="锂电池")
        publish_battery(p, django_capture_on_commit_callbacks)
        check()
        chinese = next(m for m in mail.outbox if m.to == [p.outsider.email])
        english = next(m for m in mail.outbox if m.to == [p.other_tto.email])
        assert BATTERY["name"] in chinese.body and BATTERY["name_en"] not in chinese.body
        assert 'lang="zh-hans"' in chinese.alternatives[0][0]
        assert BATTERY["name_en"] in english.body and 'lang="en"' in english.alternatives[0][0]
        assert "new match for your subscriptions" in english.subject

    def test_a_failed_mail_stays_pending_for_the_next_digest(
        self, p: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        subscribe(p.outsider, keywords="锂电池")
        battery = publish_battery(p, django_capture_on_commit_callbacks)
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=9,
            EMAIL_TIMEOUT=2,
        ):
            failed = check()
        assert failed.failed_emails == 1 and failed.emails == 0
        assert Notification.objects.get(user=p.outsider).digest_pending
        later = check(timezone.now() + DAY)
        assert later.emails == 1 and f"/achievements/{battery.pk}/" in mail.outbox[0].body
        assert not Notification.objects.get(user=p.outsider).digest_pending

    def test_weekly_subscriptions_wait_for_their_week(
        self, p: Personas, django_capture_on_commit_callbacks: Any
    ) -> None:
        weekly = subscribe(p.outsider, keywords="锂电池", frequency="weekly")
        now = timezone.now()
        check(now)
        publish_battery(p, django_capture_on_commit_callbacks)
        assert weekly.notifications.count() == 1  # in the inbox at once; the e-mail waits for the week
        assert check(now + 2 * DAY).subscriptions == 0 and mail.outbox == []
        assert check(now + 7 * DAY, frequency="daily").subscriptions == 0 and mail.outbox == []
        assert check(now + 7 * DAY, frequency="weekly").emails == 1
        assert weekly.notifications.count() == 1


class TestEntryPoints:
    def test_the_command_checks_and_reports(
        self, p: Personas, django_capture_on_commit_callbacks: Any, capsys: pytest.CaptureFixture[str]
    ) -> None:
        subscribe(p.outsider, keywords="锂电池")
        publish_battery(p, django_capture_on_commit_callbacks)
        later = (timezone.now() + datetime.timedelta(minutes=5)).isoformat()
        call_command("send_digests", "--frequency", "daily", "--now", later)
        # The notification was made when the record was published; the command sends the digest.
        assert "1 subscription(s) checked, 0 notification(s) created, 1 digest(s) sent." in capsys.readouterr().out
        with pytest.raises(CommandError):
            call_command("send_digests", "--now", "yesterday")

    def test_the_job_function_runs_the_check(self, p: Personas, django_capture_on_commit_callbacks: Any) -> None:
        subscribe(p.outsider, fields=("manufacturing",))
        publish_battery(p, django_capture_on_commit_callbacks)
        assert tasks.send_digests() == {"subscriptions": 1, "notifications": 0, "emails": 1}


class TestSubscriptionRules:
    def test_a_subscription_needs_a_known_kind_and_filters_of_known_facets(self, p: Personas) -> None:
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError) as exc:
            subscribe(p.outsider, kinds=())
        assert "kinds" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            subscribe(p.outsider, kinds=("patent",))
        assert "kinds" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            subscribe(p.outsider, filters={"owner": ["1"]})
        assert "filters" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.subscription_create(
                by=p.outsider, data={"name": "x", "kinds": ["demand"]}, fields=[code_item("region", "110108")]
            )
        assert "fields" in exc.value.message_dict
        assert not Subscription.objects.exists()

    def test_only_the_owner_changes_or_deletes_a_subscription(self, p: Personas) -> None:
        from django.core.exceptions import PermissionDenied

        sub = subscribe(p.outsider, keywords="锂电池")
        with pytest.raises(PermissionDenied):
            services.subscription_update(subscription=sub, by=p.other_tto, data={"keywords": "x"})
        with pytest.raises(PermissionDenied):
            services.subscription_delete(subscription=sub, by=p.other_tto)
        sub.refresh_from_db()
        assert sub.keywords == "锂电池"
