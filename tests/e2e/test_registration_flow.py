"""The whole registration flow of issue 2, clicked through in a real browser.

A TTO officer registers an achievement with a patent and a PDF and submits it; a reviewer returns it with a
reason; the officer fixes and resubmits; the reviewer registers it; an anonymous visitor finds it with a
Chinese query that is not a substring of its title, and in English; a phone shows the pages without
sideways scrolling. Every step leaves a screenshot in test-results/screenshots/<test name>/.

Labels are looked up through Django's own catalogue (`zh`), so the test keeps working when the Chinese
translations arrive.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.utils.text import capfirst
from django.utils.translation import override, pgettext
from playwright.sync_api import Locator, Page, expect

from techtransfer.achievements.choices import Status
from techtransfer.achievements.models import Achievement
from techtransfer.core.audit import audit_for
from techtransfer.core.codetables import code_item
from techtransfer.lib.validators import patent_check_character
from techtransfer.testing import PDF_BYTES, make_personas
from tests.e2e.browsing import PASSWORD, take_step, zh

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "基于深度学习的肺结节CT影像辅助诊断系统"
NAME_EN = "Deep-learning assisted diagnosis of pulmonary nodules in CT images"
SUMMARY = "本成果研制了一套肺部CT影像中肺结节自动检测与良恶性判别的辅助诊断软件，敏感度达到96%，已在三家医院试用。"
ADDED_SENTENCE = "三家试用医院已出具用户证明。"
RETURN_REASON = "请补充用户证明"
PATENT_DIGITS = "202110123456"
NUMBER_PATTERN = re.compile(r"^110\d{4}Y\d{4}$")
# Needs word segmentation: the title has 肺结节CT影像辅助诊断, never 肺结节诊断 in one piece.
CHINESE_QUERY = "肺结节诊断"
ENGLISH_QUERY = "pulmonary nodule diagnosis"



def label(msgid: str, context: str | None = None) -> re.Pattern[str]:
    """A form label as the templates show it: capfirst of the translated name, then " *" if required."""
    if context is not None:
        with override("zh-hans"):
            text = pgettext(context, msgid)
    else:
        text = zh(msgid)
    return re.compile(rf"^{re.escape(capfirst(text))}(\s*\*)?$")


def no_horizontal_overflow(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def log_in(page: Page, username: str) -> None:
    page.goto("/")
    page.get_by_role("link", name=zh("Log in"), exact=True).click()
    page.get_by_label(zh("User name or e-mail")).fill(username)
    page.get_by_label(zh("Password")).fill(PASSWORD)
    page.get_by_role("button", name=zh("Log in"), exact=True).click()
    expect(page.get_by_role("heading", name=zh("My workspace"), exact=True)).to_be_visible()


def expect_message(page: Page, msgid: str) -> None:
    expect(page.locator(".messages").get_by_text(zh(msgid))).to_be_visible()


def open_from_review_queue(page: Page) -> None:
    # Nothing links to the full queue unless it holds more than the workspace lists (10), so go there by URL.
    page.goto("/achievements/review/")
    expect(page.get_by_role("heading", name=zh("Review queue"), exact=True)).to_be_visible()
    page.get_by_role("link", name=NAME, exact=True).click()
    expect(page.get_by_role("heading", name=NAME, level=1)).to_be_visible()


def open_from_workspace(page: Page) -> None:
    page.get_by_role("link", name=zh("My workspace"), exact=True).click()
    page.locator("#review").get_by_role("link", name=NAME, exact=True).click()
    expect(page.get_by_role("heading", name=NAME, level=1)).to_be_visible()


def section(page: Page, legend: str) -> Locator:
    """One <fieldset> of the registration form, by its legend."""
    return page.locator("#achievement-form").get_by_role("group", name=zh(legend), exact=True)


def fill_achievement_form(page: Page, *, patent_number: str) -> None:
    basic = section(page, "Basic information")
    basic.get_by_label(label("achievement type")).select_option("applied")
    basic.get_by_label(label("name")).fill(NAME)
    basic.get_by_label(label("English name")).fill(NAME_EN)
    basic.get_by_label(label("summary")).fill(SUMMARY)
    basic.get_by_label(label("English summary")).fill(
        "Software that detects pulmonary nodules in chest CT and grades their malignancy; 96% sensitivity."
    )
    basic.get_by_label(label("keywords")).fill("肺结节，医学影像，深度学习")
    basic.get_by_label(label("English keywords")).fill("pulmonary nodule, medical imaging, deep learning")
    codes = {
        "Classification": {
            "discipline": ("discipline", "320"),
            "high-tech field": ("high_tech_field", "biomedicine"),
            "industry of application": ("industry", "Q"),
            "stage": ("stage", "middle"),
            "level": ("level", "dom_leading"),
            "application status": ("application_status", "trial"),
            "attribute": ("attribute", "original"),
        },
        "Project source and research period": {"project source": ("project_source", "nsfc")},
    }
    for legend, fields in codes.items():
        for field_label, (table, code) in fields.items():
            section(page, legend).get_by_label(label(field_label)).select_option(str(code_item(table, code).pk))
    period = section(page, "Project source and research period")
    period.get_by_label(label("research start")).fill("2021-01")
    period.get_by_label(label("research end")).fill("2023-12")
    contact = section(page, "Contact")
    contact.get_by_label(label("contact person")).fill("王成果")
    contact.get_by_label(label("contact phone")).fill("010-62780000")
    contact.get_by_label(label("contact e-mail")).fill("tto@example.cn")
    with override("zh-hans"):
        licence = code_item("transfer_mode", "licence").label
    section(page, "Intended transfer modes").get_by_label(licence, exact=True).check()

    # Completing persons: the first row is there already; a second one comes from "add a person" (htmx).
    first = page.locator("#row-persons-0")
    first.get_by_label(label("name", "person")).fill("李研究")
    first.get_by_label(label("professional title")).fill("教授")
    page.get_by_role("button", name=f"+ {zh('Add a person')}").click()
    second = page.locator("#row-persons-1")
    expect(second).to_be_visible()
    second.get_by_label(label("name", "person")).fill("王成果")

    # One invention patent.
    page.get_by_role("button", name=f"+ {zh('Add an IP item')}").click()
    patent = page.locator("#row-ip_items-0")
    expect(patent).to_be_visible()
    patent.get_by_label(label("kind")).select_option("invention_patent")
    patent.get_by_label(label("number")).fill(patent_number)
    patent.get_by_label(label("title")).fill("一种肺结节CT影像的检测方法")


def test_an_achievement_goes_from_registration_to_public_search_in_the_browser(
    live_server: Any, new_page: Any, shots: Any, tmp_path: Path
) -> None:
    personas = make_personas()
    check = patent_check_character(PATENT_DIGITS)
    wrong = "0" if check == "X" else str((int(check) + 1) % 10)
    pdf = tmp_path / "用户证明.pdf"
    pdf.write_bytes(PDF_BYTES)

    # 1. The TTO officer registers the achievement, with a patent and a PDF, and submits it.
    officer = new_page()
    log_in(officer, "tto")
    shots(officer, "officer-workspace")
    officer.get_by_role("button", name=zh("Register an achievement"), exact=True).click()
    expect(officer.get_by_role("heading", name=zh("Register an achievement"), level=1)).to_be_visible()
    fill_achievement_form(officer, patent_number=f"ZL{PATENT_DIGITS}.{wrong}")
    shots(officer, "officer-form-filled")
    officer.get_by_role("button", name=zh("Save draft"), exact=True).click()

    patent_row = officer.locator("#row-ip_items-0")
    wrong_message = zh(
        "The check digit of patent number %(value)s should be %(expected)s, not %(got)s.",
        value=f"ZL{PATENT_DIGITS}.{wrong}",
        expected=check,
        got=wrong,
    )
    expect(patent_row.get_by_text(wrong_message)).to_be_visible()
    expect(officer.get_by_role("heading", name=zh("Register an achievement"), level=1)).to_be_visible()
    assert not Achievement.objects.exists()
    patent_row.scroll_into_view_if_needed()
    shots(officer, "officer-wrong-check-digit")

    patent_row.get_by_label(label("number")).fill(f"ZL{PATENT_DIGITS}.{check}")
    officer.get_by_role("button", name=zh("Save draft"), exact=True).click()
    expect_message(officer, "The draft is saved. Attach the supporting PDFs, then submit it for review.")
    achievement = Achievement.objects.get()
    assert achievement.status == Status.DRAFT
    assert achievement.owner == personas.university
    assert list(achievement.ip_items.values_list("number", flat=True)) == [f"{PATENT_DIGITS}.{check}"]
    assert list(achievement.persons.values_list("name", flat=True)) == ["李研究", "王成果"]
    shots(officer, "officer-draft-saved")

    # The record page: upload the PDF there, then submit.
    officer.get_by_role("link", name=NAME, exact=True).click()
    expect(officer.get_by_role("heading", name=NAME, level=1)).to_be_visible()
    materials = officer.locator("#attachments")
    materials.get_by_label(label("kind of material")).select_option("user_proof")
    materials.get_by_label(label("PDF file")).set_input_files(str(pdf))
    materials.get_by_role("button", name=zh("Upload PDF"), exact=True).click()
    expect(officer.locator(".messages").get_by_text(zh("%(name)s is attached.", name=pdf.name))).to_be_visible()
    expect(officer.locator("#attachments").get_by_role("link", name=pdf.name)).to_be_visible()
    expect(officer.locator("#problems")).to_have_count(0)
    shots(officer, "officer-pdf-attached")

    officer.get_by_role("button", name=zh("Submit for review"), exact=True).click()
    expect_message(officer, "Submitted for review. The registration body will register it or return it with reasons.")
    shots(officer, "officer-submitted")
    achievement.refresh_from_db()
    assert achievement.status == Status.SUBMITTED

    # 2. The reviewer returns it with a reason.
    reviewer = new_page()
    log_in(reviewer, "reviewer")
    expect(reviewer.locator("#review").get_by_role("link", name=NAME, exact=True)).to_be_visible()
    open_from_review_queue(reviewer)
    shots(reviewer, "reviewer-opens-record")
    take_step(reviewer, "return", reason=RETURN_REASON)
    expect_message(reviewer, "Returned to the unit with your reasons.")
    shots(reviewer, "reviewer-returned")
    achievement.refresh_from_db()
    assert achievement.status == Status.RETURNED
    assert achievement.return_reason == RETURN_REASON

    # 3. The officer reads the reason, edits the summary, and resubmits.
    officer.reload()
    returned = officer.get_by_role("alert").filter(has_text=zh("Returned by the registration body:"))
    expect(returned).to_contain_text(RETURN_REASON)
    shots(officer, "officer-sees-return-reason")
    officer.get_by_role("button", name=zh("Edit"), exact=True).click()
    expect(officer.get_by_role("heading", name=zh("Edit achievement"), level=1)).to_be_visible()
    summary = officer.get_by_label(label("summary"))
    expect(summary).to_have_value(SUMMARY)
    summary.fill(SUMMARY + ADDED_SENTENCE)
    officer.get_by_role("button", name=zh("Save changes"), exact=True).click()
    expect_message(officer, "Your changes are saved.")
    summary_section = officer.locator("section").filter(has=officer.get_by_role("heading", name=zh("Summary")))
    expect(summary_section).to_contain_text(ADDED_SENTENCE)
    officer.get_by_role("button", name=zh("Submit for review"), exact=True).click()
    expect_message(officer, "Submitted for review. The registration body will register it or return it with reasons.")
    shots(officer, "officer-resubmitted")

    # 4. The reviewer registers it: the page shows the 12-character registration number.
    open_from_workspace(reviewer)
    take_step(reviewer, "register")  # folds out "cannot be taken back", then the confirming button
    expect_message(reviewer, "Registered: the registration number is assigned.")
    number_text = reviewer.locator("article.achievement-detail > header .meta strong")
    expect(number_text).to_have_text(re.compile(NUMBER_PATTERN.pattern))
    number = number_text.inner_text().strip()
    assert NUMBER_PATTERN.fullmatch(number), number
    shots(reviewer, "reviewer-registered")

    # 5. An anonymous visitor finds it by a Chinese query that is not part of the title, then in English.
    assert CHINESE_QUERY not in NAME
    visitor = new_page()
    visitor.goto("/")
    visitor.get_by_role("searchbox", name=zh("Search achievements")).fill(CHINESE_QUERY)
    visitor.get_by_role("button", name=zh("Search"), exact=True).click()
    hit = visitor.locator("article.hit").filter(has_text=number)
    expect(hit).to_have_count(1)
    expect(hit.locator("mark").first).to_be_visible()
    marked = hit.locator("mark").all_inner_texts()
    assert any(word in CHINESE_QUERY for word in marked), marked
    shots(visitor, "visitor-chinese-search")

    hit.get_by_role("heading").get_by_role("link").click()
    expect(visitor.get_by_role("heading", name=NAME, level=1)).to_be_visible()
    expect(visitor.locator("article.achievement-detail > header .meta")).to_contain_text(number)
    jsonld = json.loads(visitor.locator('script[type="application/ld+json"]').text_content() or "")
    assert jsonld["identifier"] == number
    assert jsonld["name"] == NAME
    # The public page shows nothing of the workflow: no status history, no materials.
    expect(visitor.locator("#history")).to_have_count(0)
    expect(visitor.locator("#attachments")).to_have_count(0)
    shots(visitor, "visitor-detail")

    visitor.get_by_role("button", name="English", exact=True).click()
    expect(visitor.locator("html")).to_have_attribute("lang", "en")
    visitor.get_by_role("link", name="Find achievements", exact=True).click()
    visitor.get_by_role("searchbox", name="Search achievements").fill(ENGLISH_QUERY)
    visitor.get_by_role("button", name="Search", exact=True).click()
    english_hit = visitor.locator("article.hit").filter(has_text=number)
    expect(english_hit).to_have_count(1)
    expect(english_hit.locator("mark").first).to_be_visible()
    shots(visitor, "visitor-english-search")

    # 6. On a phone, the detail and the search pages fit the screen.
    phone = new_page(mobile=True)
    phone.goto(f"/achievements/{achievement.pk}/")
    expect(phone.get_by_role("heading", name=NAME, level=1)).to_be_visible()
    shots(phone, "phone-detail")
    assert no_horizontal_overflow(phone), "the detail page scrolls sideways on a phone"
    phone.goto("/search/?" + urlencode({"q": CHINESE_QUERY}))
    expect(phone.locator("article.hit").filter(has_text=number)).to_have_count(1)
    shots(phone, "phone-search")
    assert no_horizontal_overflow(phone), "the search page scrolls sideways on a phone"

    # What the clicks left in the database.
    achievement.refresh_from_db()
    assert achievement.status == Status.PUBLISHED
    assert achievement.registration_number == number
    assert achievement.summary == SUMMARY + ADDED_SENTENCE
    steps = list(achievement.status_changes.values_list("from_state", "to_state", "by__username"))
    assert steps == [
        (Status.DRAFT, Status.SUBMITTED, "tto"),
        (Status.SUBMITTED, Status.RETURNED, "reviewer"),
        (Status.RETURNED, Status.SUBMITTED, "tto"),
        (Status.SUBMITTED, Status.REGISTERED, "reviewer"),
        (Status.REGISTERED, Status.PUBLISHED, "reviewer"),
    ]
    events = audit_for(achievement)
    assert set(events.filter(actor=personas.tto_officer).values_list("action", flat=True)) == {
        "achievement.create",
        "attachment.add",
        "achievement.update",
        "achievement.submit",
    }
    assert set(events.filter(actor=personas.reviewer).values_list("action", flat=True)) == {
        "achievement.return",
        "achievement.register",
        "achievement.publish",
    }
    update = events.get(action="achievement.update")
    assert update.changes["summary"] == [SUMMARY, SUMMARY + ADDED_SENTENCE]
    assert events.get(action="achievement.return").note == RETURN_REASON
