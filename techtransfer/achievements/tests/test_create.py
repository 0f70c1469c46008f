"""achievements_create, the one creation service: a batch is checked exactly as one record is."""

import pytest
from django.core.exceptions import ValidationError

from techtransfer.achievements import services
from techtransfer.achievements.models import Achievement
from techtransfer.core.models import AuditEvent
from techtransfer.testing import Personas, achievement_data

BAD = [
    {"name": "名" * 201},
    {"name": ""},
    {"contact_email": "not-an-address"},
    {"achievement_type": "invention"},
    {"secrecy": "9"},
    {"contact_phone": "1" * 41},
]


def full_clean_errors(p: Personas, data: dict) -> dict:
    """What Django's full_clean says about a record with this form data (the reference)."""
    achievement = Achievement(owner=p.university, created_by=p.tto_officer, region=p.university.region)
    services._apply(achievement, data)
    try:
        achievement.full_clean(exclude=services.NOT_CLEANED, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return exc.message_dict
    return {}


class TestAchievementsCreate:
    @pytest.mark.parametrize("bad", BAD)
    def test_a_bad_value_is_refused_with_the_same_message_as_full_clean(self, p: Personas, bad: dict) -> None:
        data = {**achievement_data(), **bad}
        good = services.NewAchievement(data=achievement_data(name="先导的好记录"))
        with pytest.raises(ValidationError) as exc:
            # The good draft first: its checked values are remembered, the bad one is still checked.
            services.achievements_create(by=p.tto_officer, owner=p.university,
                                         drafts=[good, services.NewAchievement(data=data)])
        assert exc.value.message_dict == full_clean_errors(p, data)
        assert not Achievement.objects.exists()

    def test_a_batch_stores_each_record_its_parts_and_one_audit_event_each(self, p: Personas) -> None:
        drafts = [
            services.NewAchievement(
                data=achievement_data(name=f"成果{n}", keywords="甲；乙"), persons=[{"name": "李研究"}, {"name": "王成果"}],
                ip_items=[{"kind": "software_copyright", "number": f"2022SR012345{n}"}], import_key=f"K{n}",
            )
            for n in range(3)
        ]
        created = services.achievements_create(by=p.tto_officer, owner=p.university, drafts=drafts, note="批量")
        assert [a.pk for a in created] == sorted(a.pk for a in created) and all(a.pk for a in created)
        for n, achievement in enumerate(created):
            stored = Achievement.objects.get(pk=achievement.pk)
            assert (stored.name, stored.keywords, stored.import_key) == (f"成果{n}", ["甲", "乙"], f"K{n}")
            assert stored.owner == p.university and stored.region == p.university.region
            assert [u.name for u in stored.units.all()] == [p.university.name]
            assert [x.name for x in stored.persons.all()] == ["李研究", "王成果"]
            assert [i.number for i in stored.ip_items.all()] == [f"2022SR012345{n}"]
            event = AuditEvent.objects.get(action="achievement.create", object_id=str(stored.pk))
            assert event.changes["name"] == f"成果{n}" and event.note == "批量" and event.actor == p.tto_officer
