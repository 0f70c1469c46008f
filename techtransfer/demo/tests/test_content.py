"""The data files, read without a database: consistent, coherent, distinct, and free of boilerplate."""

from __future__ import annotations

import random
from collections import Counter

from django.test import SimpleTestCase

from techtransfer.accounts.choices import OrgType
from techtransfer.demo.content import BOILERPLATE, _text, content_load, content_problems, searchable_texts
from techtransfer.demo.identifiers import USCC_CATEGORY, uscc_make
from techtransfer.demo.medium import medium_content
from techtransfer.lib.validators import validate_patent_number, validate_uscc


class ContentTests(SimpleTestCase):
    def setUp(self) -> None:
        self.content = content_load()

    def test_the_hand_written_demo_is_consistent(self) -> None:
        self.assertEqual(content_problems(self.content), [])

    def test_it_reports_what_is_wrong_in_words(self) -> None:
        demand = self.content.demands[0]
        demand.field = "electronics"  # a pharmaceutical company asking for chips
        self.content.achievements[1].texts["summary"] = self.content.achievements[0].texts["summary"]
        self.content.organisations[-1].description += "（演示数据）"
        problems = "\n".join(content_problems(self.content))
        self.assertIn(f"demand {demand.key}: electronics is not a field of ruihe", problems)
        self.assertIn("achievement summary", problems)
        self.assertIn("'演示'", problems)

    def test_every_enterprise_asks_within_its_business(self) -> None:
        enterprises = {o.key: o for o in self.content.organisations if o.type == OrgType.ENTERPRISE}
        asked = Counter(d.owner for d in self.content.demands)
        self.assertEqual(set(asked), set(enterprises))  # every enterprise posts, and only enterprises do
        for demand in self.content.demands:
            self.assertIn(demand.field, enterprises[demand.owner].fields, demand.title)

    def test_wrapped_texts_become_one_paragraph_with_english_words_apart(self) -> None:
        self.assertEqual(
            _text("\n  多气体融合\n  预警装置，\n  30 s and\n  8 min\n"), "多气体融合预警装置，30 s and 8 min"
        )
        for a in self.content.achievements:
            self.assertNotIn("\n", a.texts["summary"] + a.texts["summary_en"])

    def test_identifiers_carry_correct_check_characters(self) -> None:
        for org in self.content.organisations:
            validate_uscc(org.uscc)
        for a in self.content.achievements:
            for item in a.ip:
                if item["kind"] in {"invention_patent", "utility_model"}:
                    validate_patent_number(item["number"])
                    self.assertEqual(item["number"].startswith("ZL"), item["granted"], item["title"])

    def test_nothing_searchable_gives_the_demo_away(self) -> None:
        for where, text in searchable_texts(self.content):
            for word in BOILERPLATE:
                self.assertNotIn(word, text, where)


class MediumContentTests(SimpleTestCase):
    def test_medium_adds_distinct_consistent_records_the_same_way_for_a_seed(self) -> None:
        small = content_load()
        extra = medium_content(small, seed=42)
        self.assertEqual(
            [a.texts["name"] for a in extra.achievements],
            [a.texts["name"] for a in medium_content(content_load(), seed=42).achievements],
        )
        self.assertGreater(len(extra.achievements), 500)
        self.assertGreater(len(extra.demands), 30)
        small.extend(extra)
        self.assertEqual(content_problems(small), [])
        self.assertTrue(any(o.region[:2] in {"12", "13"} for o in extra.organisations))  # Jing-Jin-Ji neighbours

    def test_a_credit_code_is_made_for_its_category_and_region(self) -> None:
        code = uscc_make(random.Random(1), category=USCC_CATEGORY[OrgType.ENTERPRISE], region="110108")
        validate_uscc(code)
        self.assertEqual(code[:8], "91110108")
