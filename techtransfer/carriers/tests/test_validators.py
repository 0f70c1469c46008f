"""The unified social credit code (GB 32100-2015): 18 characters of a 31-character alphabet, the last a check
character (the first 17 weighted 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28; 31 minus the sum
modulo 31). The rule is in lib.validators (shared with sign-up and contracts); a firm's code is checked by it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from techtransfer.carriers.tests.helpers import uscc
from techtransfer.lib.validators import USCC_WEIGHTS, uscc_check_character, validate_uscc

# Codes published with their check character: the standard's widely quoted example, and the codes on
# the business licences of Huawei Technologies Co., Ltd. and of Tsinghua University (a 事业单位, category 12).
PUBLISHED = ["91350100M000100Y43", "914403001922038216", "12100000400000624D"]


class TestUscc:
    def test_the_weights_are_3_to_the_power_i_modulo_31(self) -> None:
        assert USCC_WEIGHTS == tuple(pow(3, i, 31) for i in range(17))

    @pytest.mark.parametrize("code", PUBLISHED)
    def test_published_codes_are_valid(self, code: str) -> None:
        validate_uscc(code)
        assert uscc_check_character(code[:17]) == code[17]

    def test_generated_codes_are_valid_and_lower_case_is_read_as_upper(self) -> None:
        for seed in range(50):
            validate_uscc(uscc(seed))
        validate_uscc(" 91350100m000100y43 ")

    @pytest.mark.parametrize("code", PUBLISHED)
    def test_any_other_check_character_is_refused_and_the_right_one_named(self, code: str) -> None:
        wrong = next(c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != code[17])
        with pytest.raises(ValidationError) as caught:
            validate_uscc(code[:17] + wrong)
        assert caught.value.code == "uscc_check"
        assert f"should be {code[17]}, not {wrong}" in caught.value.messages[0]

    @pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433", ""])
    def test_a_code_must_have_18_characters(self, code: str) -> None:
        with pytest.raises(ValidationError, match="18 characters"):
            validate_uscc(code)

    @pytest.mark.parametrize("letter", "IOSVZ")
    def test_letters_the_standard_never_uses_are_refused(self, letter: str) -> None:
        with pytest.raises(ValidationError, match="not allowed"):
            validate_uscc("91350100M000100" + letter + "43")

    def test_a_single_changed_character_is_caught(self) -> None:
        code = PUBLISHED[1]
        changed = code[:5] + ("1" if code[5] != "1" else "2") + code[6:]
        with pytest.raises(ValidationError):
            validate_uscc(changed)
