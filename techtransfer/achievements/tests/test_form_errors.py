"""The achievement form shows every problem of a submission at once: its own (a required field, a wrong row)
and the service's (keywords, research period), each at its field and, naming the field, in the summary."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from techtransfer.achievements import services
from techtransfer.achievements.models import Achievement
from techtransfer.achievements.tests.test_views import BAD_PATENT, client_for, form_data, page_data
from techtransfer.testing import Personas, make_achievement

# Summary lines (in order) of the submission below, in each language.
EXPECTED = {
    "en": [
        "Please fill in the name.",
        "At most 3 keywords are allowed.",
        "The research end is before its start.",
        "Contact phone: Enter a Chinese phone number",
        "Completing persons, row 1, name: Give this person&#x27;s name.",
        "Intellectual property, row 1, number: The check digit of patent number",
    ],
    "zh-hans": [
        "请填写名称。",
        "最多允许 3 个关键词。",
        "研究结束时间早于开始时间。",
        "联系电话：请填写中国的电话号码",
        "完成人第 1 行，姓名：请填写此人的姓名。",
        "知识产权第 1 行，编号：专利号",
    ],
}


def wrong_everywhere() -> dict[str, object]:
    """A required field left empty, four keywords, a period that ends before it starts, a phone that is not
    one, a person without a name and a patent with a wrong check digit."""
    return form_data(
        name="",
        keywords="甲，乙，丙，丁",
        research_start="2023-03",
        research_end="2021-12",
        contact_phone="abc",
        **{"persons-0-name": "", "ip_items-0-number": BAD_PATENT},
    )


def summary_lines(page: str) -> list[str]:
    summary = re.search(r'<div class="msg msg-error error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert summary, "no error summary"
    return re.findall(r"<li><a href=\"#[^\"]+\">(.*?)</a></li>", summary.group(1))


def at_field(page: str, name: str) -> str:
    """The HTML of one field of the main form: label, input, help and its errors."""
    match = re.search(rf'<div class="field[^"]*" id="field-{name}">(.*?)</div>', page, re.S)
    assert match, f"no field {name}"
    return match.group(1)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_new_record_wrong_in_many_ways_shows_every_error_at_once(p: Personas, language: str) -> None:
    response = client_for(p.tto_officer).post(
        reverse("achievements:new"), wrong_everywhere(), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    page = response.content.decode()
    lines = summary_lines(page)
    assert len(lines) == len(EXPECTED[language])
    for line, expected in zip(lines, EXPECTED[language], strict=True):
        assert line.startswith(expected), (line, expected)
    # Each message also stands at its own field (or row).
    assert EXPECTED[language][0] in at_field(page, "name")
    assert EXPECTED[language][1] in at_field(page, "keywords")
    assert EXPECTED[language][2] in at_field(page, "research_end")
    assert "errorlist" in at_field(page, "contact_phone")
    form = response.context["form"]
    assert set(form.errors) == {"name", "keywords", "research_end", "contact_phone"}
    persons, ip_items = (part["formset"] for part in response.context["parts"][1:])
    assert "name" in persons.forms[0].errors and "number" in ip_items.forms[0].errors
    assert not Achievement.objects.exists()


def test_editing_shows_the_services_checks_while_a_row_is_wrong(p: Personas) -> None:
    a = make_achievement(p)
    client = client_for(p.tto_officer)
    page = client.get(reverse("achievements:edit", args=[a.pk]))
    data = page_data(page, keywords="甲，乙，丙，丁", research_start="2023-03", research_end="2021-12")
    data["ip_items-0-number"] = BAD_PATENT
    response = client.post(reverse("achievements:edit", args=[a.pk]), data)
    assert response.status_code == 200
    assert {"keywords", "research_end"} <= set(response.context["form"].errors)
    assert "number" in response.context["parts"][2]["formset"].forms[0].errors
    a.refresh_from_db()
    assert a.keywords != ["甲", "乙", "丙", "丁"]


def test_a_required_field_names_itself_at_the_field_and_in_the_summary(p: Personas) -> None:
    response = client_for(p.tto_officer).post(reverse("achievements:new"), form_data(name=""))
    page = response.content.decode()
    assert summary_lines(page) == ["Please fill in the name."]
    assert "Please fill in the name." in at_field(page, "name")
    assert "This field is required." not in page


def test_the_service_checks_fields_and_rows_together(p: Personas) -> None:
    """Through the API (no form in front), four keywords and a nameless person come back in one answer."""
    with pytest.raises(ValidationError) as exc:
        services.achievement_create(
            by=p.tto_officer, owner=p.university, data={"name": "x", "keywords": ["a", "b", "c", "d"]},
            persons=[{"name": ""}, {"name": "李"}, {"title": "教授"}],
        )
    errors = exc.value.message_dict
    assert "keywords" in errors
    assert errors["persons"] == ["Completing person 1 has no name.", "Completing person 3 has no name."]


def test_a_person_row_without_a_name_is_marked_on_its_row(p: Personas) -> None:
    response = client_for(p.tto_officer).post(
        reverse("achievements:new"), form_data(**{"persons-0-name": "", "persons-0-title": "教授"})
    )
    row = response.context["parts"][1]["formset"].forms[0]
    assert row.errors["name"] == ["Give this person's name."]
