"""One format per language for money, dates and durations (lib/money.py, lib/durations.py, formats/)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.template import Context, Template
from django.test import SimpleTestCase
from django.utils import timezone, translation
from django.utils.formats import date_format

from techtransfer.lib.durations import time_left, time_since
from techtransfer.lib.money import WanYuanField, money, money_range


class MoneyTests(SimpleTestCase):
    def test_chinese_shows_wan_from_ten_thousand_up_and_yuan_below(self) -> None:
        with translation.override("zh-hans"):
            self.assertEqual(money(Decimal("500000")), "50万元")
            self.assertEqual(money(Decimal("125000")), "12.5万元")
            self.assertEqual(money(Decimal("1234567.89")), "123.4568万元")
            self.assertEqual(money(Decimal("123456789")), "12,345.6789万元")
            self.assertEqual(money(Decimal("10000")), "1万元")
            self.assertEqual(money(Decimal("8000")), "8,000元")
            self.assertEqual(money(Decimal("1234.5")), "1,234.50元")
            self.assertEqual(money(None), "—")

    def test_english_shows_grouped_yuan_with_the_currency_code(self) -> None:
        with translation.override("en"):
            self.assertEqual(money(Decimal("500000")), "CNY 500,000")
            self.assertEqual(money(Decimal("8000.50")), "CNY 8,000.50")

    def test_a_range_reads_as_one_phrase(self) -> None:
        with translation.override("zh-hans"):
            self.assertEqual(money_range(Decimal("500000"), Decimal("2000000")), "50万元 – 200万元")
            self.assertEqual(money_range(Decimal("500000"), Decimal("500000")), "50万元")
        with translation.override("en"):
            self.assertEqual(money_range(None, Decimal("500000")), "up to CNY 500,000")
            self.assertEqual(money_range(None, None), "Negotiable")

    def test_the_template_filter_is_the_same_function(self) -> None:
        with translation.override("zh-hans"):
            html = Template("{% load formatting %}{{ v|money }}").render(Context({"v": Decimal("450000")}))
        self.assertEqual(html, "45万元")


class WanForm(forms.Form):
    amount = WanYuanField(required=False)


class WanYuanFieldTests(SimpleTestCase):
    def test_it_takes_wan_and_gives_yuan(self) -> None:
        for typed, stored in [("50", "500000.00"), ("12.3456", "123456.00"), ("0.0001", "1.00"), ("", None)]:
            form = WanForm({"amount": typed})
            self.assertTrue(form.is_valid(), form.errors)
            self.assertEqual(form.cleaned_data["amount"], None if stored is None else Decimal(stored))

    def test_it_refuses_fractions_of_a_yuan_and_negative_amounts(self) -> None:
        self.assertIn("amount", WanForm({"amount": "1.23456"}).errors)
        self.assertIn("amount", WanForm({"amount": "-1"}).errors)

    def test_it_shows_a_stored_amount_in_wan_and_what_was_typed_as_typed(self) -> None:
        self.assertIn('value="123.4567"', str(WanForm(initial={"amount": Decimal("1234567.00")})["amount"]))
        self.assertIn('value="50.0"', str(WanForm({"amount": "50.0"})["amount"]))
        self.assertIn('step="0.0001"', str(WanForm()["amount"]))

    def test_it_knows_when_the_amount_did_not_change(self) -> None:
        self.assertFalse(WanForm({"amount": "50"}, initial={"amount": Decimal("500000.00")}).has_changed())
        self.assertTrue(WanForm({"amount": "51"}, initial={"amount": Decimal("500000.00")}).has_changed())


class DurationTests(SimpleTestCase):
    now = timezone.make_aware(datetime.datetime(2026, 3, 5, 12, 0))

    def test_chinese_reads_months_with_their_measure_word_and_no_comma(self) -> None:
        deadline = timezone.make_aware(datetime.datetime(2026, 4, 13, 12, 0))
        with translation.override("zh-hans"):
            self.assertEqual(time_left(deadline, self.now), "1\xa0个月 1\xa0周")
            self.assertEqual(time_since(self.now - datetime.timedelta(hours=3, minutes=5), self.now), "3\xa0小时 5\xa0分钟")

    def test_english_keeps_the_usual_phrase(self) -> None:
        deadline = timezone.make_aware(datetime.datetime(2026, 4, 13, 12, 0))
        with translation.override("en"):
            self.assertEqual(time_left(deadline, self.now), "1\xa0month, 1\xa0week")
            self.assertEqual(time_left(self.now - datetime.timedelta(days=1), self.now), "0\xa0minutes")


class DateFormatTests(SimpleTestCase):
    def test_each_language_has_one_date_and_one_date_time_format(self) -> None:
        day = datetime.date(2026, 3, 5)
        moment = timezone.make_aware(datetime.datetime(2026, 3, 5, 14, 30))
        template = Template('{{ d|date:"DATE_FORMAT" }}|{{ t|date:"DATETIME_FORMAT" }}|{{ t|date:"c" }}')
        with translation.override("zh-hans"):
            self.assertEqual(date_format(day), "2026年3月5日")
            self.assertEqual(template.render(Context({"d": day, "t": moment})),
                             "2026年3月5日|2026年3月5日 14:30|2026-03-05T14:30:00+08:00")
            self.assertEqual(date_format(day, "YEAR_MONTH_FORMAT"), "2026年3月")
        with translation.override("en"):
            self.assertEqual(template.render(Context({"d": day, "t": moment})),
                             "5 Mar 2026|5 Mar 2026 14:30|2026-03-05T14:30:00+08:00")
