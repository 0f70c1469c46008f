"""Wording of the Chinese pages: full-width punctuation in Chinese sentences, 姓名 for a person's name and
名称 for a thing's, and page titles that end in the platform's name."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from techtransfer.core.tests.test_translations import PO_FILE, po_entries

# Chinese characters, and Chinese or full-width punctuation: what makes a sentence Chinese on either side.
CHINESE = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
HALF_WIDTH = r"[,;:()?!]"
ENGLISH_PUNCTUATION = re.compile(rf"{CHINESE}\s*{HALF_WIDTH}|{HALF_WIDTH}\s*{CHINESE}")
# Placeholders, tags and code stand for themselves: replaced by a Latin letter, so that they neither hide nor
# create a Chinese neighbour.
NOT_PROSE = re.compile(r"<code>.*?</code>|%\(\w+\)[sdfr]|%[sdf]|\{\w*\}|</?\w+[^>]*>|&\w+;|https?://\S+")


def test_no_english_punctuation_next_to_chinese_in_the_catalogue() -> None:
    wrong = [
        f"{entry.line}: {text}"
        for entry in po_entries(PO_FILE)
        for text in entry.msgstr.values()
        if ENGLISH_PUNCTUATION.search(NOT_PROSE.sub("X", text))
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("名称,类型", True),
        ("请填写标题;然后保存", True),
        ("专利(含校验位)", True),
        ("确定吗?", True),
        ("联系电话:010", True),
        ("专利（含校验位，例如 ZL202110123456.7）", False),
        ("以逗号（“，”或“,”）分隔", False),
        ("请发送请求头 <code>Authorization: Token &lt;key&gt;</code>。", False),
        ("“%(value)s”不属于其中任何一种。", False),
    ],
)
def test_the_punctuation_check_tells_chinese_from_english(text: str, wrong: bool) -> None:
    assert bool(ENGLISH_PUNCTUATION.search(NOT_PROSE.sub("X", text))) is wrong


def test_a_persons_name_is_xingming_and_a_things_name_is_mingcheng() -> None:
    from techtransfer.accounts.models import Organisation
    from techtransfer.achievements.forms import PersonForm
    from techtransfer.achievements.models import Achievement, CompletingPerson, IPItem
    from techtransfer.matching.models import Expert

    with translation.override("zh-hans"):
        assert str(CompletingPerson._meta.get_field("name").verbose_name) == "姓名"
        assert str(Expert._meta.get_field("name").verbose_name) == "姓名"
        assert str(PersonForm.base_fields["name"].label) == "姓名"
        assert str(Achievement._meta.get_field("name").verbose_name) == "名称"
        assert str(Organisation._meta.get_field("name").verbose_name) == "名称"
        assert str(IPItem._meta.get_field("title").verbose_name) == "名称"


@pytest.mark.django_db
def test_the_achievement_form_labels_persons_with_xingming(p: object, client: Client) -> None:
    client.force_login(p.tto_officer)  # type: ignore[attr-defined]
    page = client.get(reverse("achievements:new"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<label for="id_persons-0-name">姓名</label>' in page
    assert re.search(r'<label for="id_name">名称', page)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "name"), [("zh-hans", "北京市科技成果转移转化平台"), ("en", "Beijing S&amp;T Achievement Transfer Platform")]
)
def test_page_titles_end_in_the_platforms_name(client: Client, language: str, name: str) -> None:
    search = client.get(reverse("portal:search"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    title = re.search(r"<title>(.*?)</title>", search, re.S).group(1)  # type: ignore[union-attr]
    assert title.endswith(f" · {name}") and "· 北京<" not in search and "· Beijing<" not in search
    home = client.get(reverse("portal:home"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<title>{name}</title>" in home


@pytest.mark.django_db
def test_the_platforms_name_comes_from_one_setting(client: Client) -> None:
    with override_settings(PLATFORM_NAME={"zh-hans": "首都技术市场", "en": "Capital Technology Market"}):
        zh = client.get(reverse("portal:search"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        en = client.get(reverse("portal:search"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r"<title>[^<]* · 首都技术市场</title>", zh)
    assert re.search(r"<title>[^<]* · Capital Technology Market</title>", en)


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "name"), [("zh-hans", "北京市科技成果转移转化平台"), ("en", "Beijing S&T")])
def test_the_confirmation_mail_names_the_platform(mailoutbox: list, language: str, name: str) -> None:
    from techtransfer.accounts.models import User
    from techtransfer.accounts.tasks import email_confirmation_send
    from techtransfer.testing import make_user

    user = make_user("newbie", preferred_language=language)
    User.objects.filter(pk=user.pk).update(email_confirmed=False)
    email_confirmation_send(user_id=user.pk)
    assert name in mailoutbox[0].subject and name in mailoutbox[0].body
