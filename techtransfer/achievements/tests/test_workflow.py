import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from techtransfer.achievements import services
from techtransfer.achievements.choices import Status
from techtransfer.achievements.models import Achievement, Revision, StatusChange
from techtransfer.core.audit import audit_for
from techtransfer.core.exceptions import ApplicationError
from techtransfer.core.models import AuditEvent
from techtransfer.testing import Personas, make_achievement


class TestAchievementWorkflow:
    def test_the_whole_way_from_draft_to_published(self, p: Personas) -> None:
        a = make_achievement(p)
        assert a.status == Status.DRAFT
        services.achievement_submit(achievement=a, by=p.tto_officer)
        services.achievement_return(achievement=a, by=p.reviewer, reason="缺少用户证明")
        a.refresh_from_db()
        assert a.status == Status.RETURNED and a.return_reason == "缺少用户证明"
        services.achievement_update(achievement=a, by=p.tto_officer, data={"summary": a.summary + "已补充用户证明。"})
        services.achievement_submit(achievement=a, by=p.tto_officer)
        services.achievement_register(achievement=a, by=p.reviewer)
        a.refresh_from_db()
        assert a.status == Status.PUBLISHED
        assert a.registration_number is not None and len(a.registration_number) == 12
        assert a.registration_number.startswith("110") and a.registration_number[7] == "Y"
        changes = StatusChange.objects.filter(record=a)
        assert list(changes.values_list("to_state", flat=True)) == [
            "submitted", "returned", "submitted", "registered", "published"
        ]
        assert list(changes.values_list("step", flat=True)) == ["submit", "return", "submit", "register", "publish"]
        assert changes.get(step="return").reason == "缺少用户证明"

    def test_a_unit_that_asks_not_to_publish_stays_registered(self, p: Personas) -> None:
        a = make_achievement(p, public_release=False)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        services.achievement_register(achievement=a, by=p.reviewer)
        a.refresh_from_db()
        assert a.status == Status.REGISTERED
        services.achievement_publish(achievement=a, by=p.tto_officer)
        a.refresh_from_db()
        assert a.status == Status.PUBLISHED and a.published_at is not None

    def test_it_refuses_to_submit_without_materials(self, p: Personas) -> None:
        a = make_achievement(p, attach=False)
        with pytest.raises(ValidationError) as exc:
            services.achievement_submit(achievement=a, by=p.tto_officer)
        assert "attachments" in exc.value.message_dict

    def test_classified_achievements_cannot_be_submitted(self, p: Personas) -> None:
        a = make_achievement(p, secrecy="2")
        with pytest.raises(ValidationError) as exc:
            services.achievement_submit(achievement=a, by=p.tto_officer)
        assert "secrecy" in exc.value.message_dict

    def test_a_return_needs_a_reason(self, p: Personas) -> None:
        a = make_achievement(p)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        with pytest.raises(ValidationError):
            services.achievement_return(achievement=a, by=p.reviewer, reason="  ")

    def test_a_registered_record_changes_only_through_a_revision(self, p: Personas) -> None:
        a = make_achievement(p)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        services.achievement_register(achievement=a, by=p.reviewer)
        with pytest.raises(ApplicationError):
            services.achievement_update(achievement=a, by=p.tto_officer, data={"name": "改名"})
        revision = services.achievement_revise(
            achievement=a, by=p.tto_officer, data={"name": "改进的肺结节辅助诊断系统"}, reason="名称与验收报告一致"
        )
        a.refresh_from_db()
        assert a.name == "改进的肺结节辅助诊断系统" and a.revision_count == 1
        assert revision.changes["name"] == ["基于深度学习的肺结节CT影像辅助诊断系统", "改进的肺结节辅助诊断系统"]
        assert Revision.objects.filter(achievement=a).count() == 1

    def test_members_may_draft_but_only_the_tto_submits(self, p: Personas) -> None:
        a = make_achievement(p, by=p.researcher)
        with pytest.raises(PermissionDenied):
            services.achievement_submit(achievement=a, by=p.researcher)
        services.achievement_submit(achievement=a, by=p.tto_officer)

    def test_outsiders_and_other_units_are_refused_every_write(self, p: Personas) -> None:
        a = make_achievement(p)
        for intruder in (p.outsider, p.other_tto):
            with pytest.raises(PermissionDenied):
                services.achievement_update(achievement=a, by=intruder, data={"name": "x"})
            with pytest.raises(PermissionDenied):
                services.achievement_submit(achievement=a, by=intruder)
            with pytest.raises(PermissionDenied):
                services.achievement_withdraw(achievement=a, by=intruder)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        for intruder in (p.outsider, p.other_tto, p.tto_officer):
            with pytest.raises(PermissionDenied):
                services.achievement_register(achievement=a, by=intruder)

    def test_it_validates_ip_numbers(self, p: Personas) -> None:
        a = make_achievement(p)
        with pytest.raises(ValidationError) as exc:
            services.achievement_update(
                achievement=a, by=p.tto_officer, data={}, ip_items=[{"kind": "invention_patent", "number": "ZL201210123456.7"}]
            )
        assert "ip_items" in exc.value.message_dict
        assert "8" in exc.value.message_dict["ip_items"][0]

    def test_it_rejects_a_file_that_is_not_a_pdf(self, p: Personas) -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        a = make_achievement(p, attach=False)
        fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf")
        with pytest.raises(ValidationError) as exc:
            services.attachment_add(achievement=a, by=p.tto_officer, upload=fake, kind="other")
        assert "report.pdf" in exc.value.message_dict["file"][0]

    def test_a_code_from_the_wrong_table_is_refused(self, p: Personas) -> None:
        from techtransfer.core.codetables import code_item

        with pytest.raises(ValidationError) as exc:
            make_achievement(p, stage=code_item("level", "dom_leading"))
        assert "stage" in exc.value.message_dict

    def test_more_than_three_keywords_are_refused(self, p: Personas) -> None:
        with pytest.raises(ValidationError) as exc:
            make_achievement(p, keywords=["a", "b", "c", "d"])
        assert "keywords" in exc.value.message_dict


class TestAuditTrail:
    def test_every_step_is_recorded_with_who_and_what(self, p: Personas) -> None:
        a = make_achievement(p)
        services.achievement_update(achievement=a, by=p.tto_officer, data={"name": "新名称"})
        services.achievement_submit(achievement=a, by=p.tto_officer)
        events = list(audit_for(a).order_by("at", "id"))
        actions = [e.action for e in events]
        assert actions[:4] == ["achievement.create", "attachment.add", "achievement.update", "achievement.submit"]
        update = events[2]
        assert update.actor == p.tto_officer
        assert update.changes["name"] == ["基于深度学习的肺结节CT影像辅助诊断系统", "新名称"]

    def test_nobody_can_edit_or_delete_an_event(self, p: Personas) -> None:
        a = make_achievement(p)
        event = audit_for(a).first()
        event.note = "tampered"
        with pytest.raises(PermissionError):
            event.save()
        with pytest.raises(PermissionError):
            event.delete()

    def test_the_database_refuses_changes_that_bypass_the_orm(self, p: Personas) -> None:
        from django.db import DatabaseError, transaction

        make_achievement(p)
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.update(note="tampered")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_auditevent")
        assert AuditEvent.objects.exclude(note="tampered").count() == AuditEvent.objects.count() > 0


class TestNumbering:
    def test_numbers_are_consecutive_per_registry_year_and_type(self, p: Personas) -> None:
        numbers = []
        for _ in range(3):
            a = make_achievement(p)
            services.achievement_submit(achievement=a, by=p.tto_officer)
            numbers.append(services.achievement_register(achievement=a, by=p.reviewer).registration_number)
        serials = [int(n[-4:]) for n in numbers]
        assert serials == [1, 2, 3]
        assert len(set(numbers)) == 3
        assert Achievement.objects.filter(registration_number__in=numbers).count() == 3

    def test_a_refused_registration_uses_no_serial(self, p: Personas) -> None:
        a = make_achievement(p)
        b = make_achievement(p)
        services.achievement_submit(achievement=a, by=p.tto_officer)
        services.achievement_submit(achievement=b, by=p.tto_officer)
        # a loses its materials after submission, so its registration is refused
        a.attachments.all().delete()
        with pytest.raises(ValidationError):
            services.achievement_register(achievement=a, by=p.reviewer)
        b = services.achievement_register(achievement=b, by=p.reviewer)
        assert b.registration_number.endswith("0001")
