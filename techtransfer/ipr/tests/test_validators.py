"""The number rules: a CN patent application number's check digit (implemented in lib.validators and checked
here against numbers published with their check digit), the type digit against the kind of patent, and the
shapes of software copyright, plant variety and IC layout numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from techtransfer.ipr.validators import (
    normalise_ip_number,
    patent_number_with_check,
    validate_ip_number,
)
from techtransfer.lib.validators import patent_check_character

# Numbers quoted with their check digit in public explanations of the rule (e.g. dfrtw.com 专利号 校验位):
# 201710601862.3 (12 digits: 2*2+0*3+1*4+7*5+1*6+0*7+6*8+0*9+1*2+8*3+6*4+2*5 = 157, 157 mod 11 = 3) and the
# pre-2003 number 95115608.X (9*2+5*3+1*4+1*5+5*6+6*7+0*8+8*9 = 186, 186 mod 11 = 10, written X).
PUBLISHED = [("201710601862", "3"), ("95115608", "X")]


class TestPatentCheckDigit:
    @pytest.mark.parametrize(("digits", "check"), PUBLISHED)
    def test_it_computes_the_published_check_digits(self, digits: str, check: str) -> None:
        assert patent_check_character(digits) == check

    def test_the_weights_repeat_2_to_9_and_a_remainder_of_10_is_x(self) -> None:
        # 1 at position 9 weighs 2 again (weights 2..9, then 2, 3, 4, 5).
        assert patent_check_character("000000001000") == "2"
        assert patent_check_character("000000000001") == "5"
        # A sum of 10 (5 × 2) is written X; a sum of 11 (1 × 2 + 1 × 9) is 0.
        assert patent_check_character("500000000000") == "X"
        assert patent_check_character("100000010000") == "0"

    @pytest.mark.parametrize(
        "number",
        ["201710601862.3", "ZL201710601862.3", "CN 2017106018623", "zl 201710601862.3", "201710601862 .3"],
    )
    def test_it_accepts_the_ways_people_write_a_valid_number(self, number: str) -> None:
        validate_ip_number("invention", number)
        assert normalise_ip_number("invention", number) == "201710601862.3"

    def test_it_accepts_an_old_eight_digit_number_with_x(self) -> None:
        validate_ip_number("invention", "ZL95115608.X")
        assert normalise_ip_number("invention", "95115608.x") == "95115608.X"

    @pytest.mark.parametrize("wrong", ["201710601862.4", "201710601862.X", "95115608.1"])
    def test_it_refuses_a_wrong_check_digit_and_says_which_is_right(self, wrong: str) -> None:
        with pytest.raises(ValidationError, match="should be"):
            validate_ip_number("invention", wrong)

    @pytest.mark.parametrize("bad", ["2017106018.3", "20171060186A.3", "abc", "2017106018623456.1"])
    def test_it_refuses_what_is_not_shaped_like_a_number(self, bad: str) -> None:
        with pytest.raises(ValidationError, match="looks like"):
            validate_ip_number("invention", bad)

    def test_the_type_digit_must_match_the_kind_of_patent(self) -> None:
        utility = patent_number_with_check("202320123456")
        validate_ip_number("utility_model", utility)
        with pytest.raises(ValidationError, match="“Utility model patent” \\(type digit 2\\), not of a “Invention patent”"):
            validate_ip_number("invention", utility)
        validate_ip_number("design", patent_number_with_check("202330123456"))
        validate_ip_number("invention", patent_number_with_check("202380123456"))  # a PCT application

    def test_an_unknown_type_digit_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="type digit"):
            validate_ip_number("invention", patent_number_with_check("202350123456"))


class TestOtherNumbers:
    @pytest.mark.parametrize("number", ["2023SR0123456", "2019sr012345", " 2021SR1234567 "])
    def test_software_copyright_numbers(self, number: str) -> None:
        validate_ip_number("software", number)

    @pytest.mark.parametrize("number", ["2023SR01", "SR0123456", "2023-SR-0123456", "23SR0123456"])
    def test_bad_software_copyright_numbers(self, number: str) -> None:
        with pytest.raises(ValidationError, match="2019SR0123456"):
            validate_ip_number("software", number)

    def test_plant_variety_numbers(self) -> None:
        validate_ip_number("plant_variety", "CNA20171234.5")
        with pytest.raises(ValidationError):
            validate_ip_number("plant_variety", "20171234.5")

    def test_ic_layout_numbers_are_checked_for_their_characters_only(self) -> None:
        validate_ip_number("ic_layout", "BS.205012345")
        for bad in ("BS", "布图设计123456", "BS 2050 12345 !!"):
            with pytest.raises(ValidationError):
                validate_ip_number("ic_layout", bad)

    def test_an_empty_number_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="Give the number"):
            validate_ip_number("software", "  ")
