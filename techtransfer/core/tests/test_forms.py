"""The tree choosers for regions and industries: a grouped <select> that works without JavaScript."""

from __future__ import annotations

import re

from django import forms
from django.test import TestCase
from django.utils import translation

from techtransfer.accounts.forms import SignupForm
from techtransfer.core.codetables import code_item
from techtransfer.core.forms import CodeItemTreeField, CodeItemTreeMultipleField, code_choices


class RegionForm(forms.Form):
    region = CodeItemTreeField(queryset=code_choices("region"), table="region", required=False, empty_label="—")


class IndustryForm(forms.Form):
    industry = CodeItemTreeField(queryset=code_choices("industry"), table="industry", show_code=True)


class CodeTreeSelectTests(TestCase):
    def test_regions_are_grouped_by_province_with_counties_indented_under_their_city(self) -> None:
        with translation.override("zh-hans"):
            html = str(RegionForm()["region"])
        self.assertIn("data-code-tree", html)
        self.assertIn('data-group-label="省级行政区"', html)
        self.assertEqual(html.count("<optgroup"), 35)
        beijing = html[html.index('<optgroup label="北京市">'):html.index('<optgroup label="天津市">')]
        haidian = code_item("region", "110108")
        self.assertIn(f'<option value="{haidian.pk}">海淀区</option>', beijing)
        self.assertEqual(beijing.count("<option"), 17)  # 北京市 itself and its 16 districts
        baoding_county = code_item("region", "130602")
        self.assertIn(f'<option value="{baoding_county.pk}">\u3000竞秀区</option>', html)
        self.assertTrue(html.index("—") < html.index("<optgroup"))  # the empty choice stays outside the groups

    def test_industries_are_grouped_by_section(self) -> None:
        with translation.override("zh-hans"):
            html = str(IndustryForm()["industry"])
        self.assertEqual(html.count("<optgroup"), 20)  # sections A–T
        self.assertIn(f'value="{code_item("industry", "65").pk}">65 软件和信息技术服务业', html)

    def test_a_district_is_chosen_without_javascript_and_shown_as_selected(self) -> None:
        haidian = code_item("region", "110108")
        form = RegionForm({"region": str(haidian.pk)})
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(form.cleaned_data["region"], haidian)
        self.assertEqual(len(re.findall(r"<option[^>]* selected", str(form["region"]))), 1)

    def test_several_regions_are_chosen_in_one_list(self) -> None:
        class SubscriptionLike(forms.Form):
            regions = CodeItemTreeMultipleField(queryset=code_choices("region"), table="region", required=False)

        ids = [code_item("region", "110108").pk, code_item("region", "130600").pk]
        form = SubscriptionLike({"regions": [str(i) for i in ids]})
        self.assertTrue(form.is_valid(), form.errors)
        self.assertEqual(sorted(item.pk for item in form.cleaned_data["regions"]), sorted(ids))
        html = str(form["regions"])
        self.assertIn("multiple", html)
        self.assertEqual(len(re.findall(r"<option[^>]* selected", html)), 2)


class SignupRegionTests(TestCase):
    def test_a_new_organisation_may_be_in_any_district_of_tianjin(self) -> None:
        form = SignupForm(
            {
                "username": "jizhou",
                "full_name": "王蓟州",
                "email": "wang@jizhou.example.cn",
                "password1": "a-long-pass-phrase-42",
                "password2": "a-long-pass-phrase-42",
                "organisation_choice": "new",
                "org_name": "蓟州示范科技有限公司",
                "org_type": "enterprise",
                "org_uscc": "91120225MA05XXXX0X",
                "org_region": "120119",
            }
        )
        form.is_valid()
        self.assertNotIn("org_region", form.errors)
        self.assertEqual(form.cleaned_data["org_region"], code_item("region", "120119"))
