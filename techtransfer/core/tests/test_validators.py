import pytest
from django.core.exceptions import ValidationError

from techtransfer.lib.validators import (
    PHONE_EXAMPLES,
    normalise_patent_number,
    normalise_phone_number,
    patent_check_character,
    patent_kind,
    uscc_check_character,
    validate_patent_number,
    validate_phone_number,
    validate_plant_variety_number,
    validate_software_copyright_number,
    validate_uscc,
)

# Real, published unified social credit codes (their check characters were issued by the registry).
REAL_USCC = ["12100000400000624D", "91110000802100433B", "911100001000079554", "91350100M000100Y43"]


class TestUnifiedSocialCreditCode:
    @pytest.mark.parametrize("code", REAL_USCC)
    def test_it_accepts_real_codes(self, code: str) -> None:
        validate_uscc(code)
        validate_uscc(code.lower())  # entered in lower case

    def test_it_computes_the_check_character(self) -> None:
        assert uscc_check_character("12100000400000624") == "D"

    @pytest.mark.parametrize("code", REAL_USCC)
    def test_it_rejects_a_wrong_check_character(self, code: str) -> None:
        wrong = code[:17] + ("0" if code[17] != "0" else "1")
        with pytest.raises(ValidationError) as exc:
            validate_uscc(wrong)
        assert exc.value.error_list[0].code == "uscc_check"
        assert code[17] in exc.value.messages[0]

    def test_it_rejects_the_wrong_length(self) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_uscc("1210000040000062")
        assert exc.value.error_list[0].code == "uscc_length"

    def test_it_rejects_letters_the_standard_never_uses(self) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_uscc("12100000400000624I")
        assert exc.value.error_list[0].code == "uscc_chars"


class TestPatentNumber:
    def test_check_digit_follows_the_mod_11_rule(self) -> None:
        # 2,3,4,5,6,7,8,9,2,3,4,5 weights over 201210123456 → 118 mod 11 = 8
        assert patent_check_character("201210123456") == "8"

    def test_a_remainder_of_ten_is_written_x(self) -> None:
        digits = next(f"2020101{n:05d}" for n in range(100000) if patent_check_character(f"2020101{n:05d}") == "X")
        validate_patent_number(f"ZL{digits}.X")

    @pytest.mark.parametrize("text", ["ZL201210123456.8", "CN 201210123456.8", "201210123456.8", "2012101234568"])
    def test_it_accepts_the_usual_spellings(self, text: str) -> None:
        validate_patent_number(text)
        assert normalise_patent_number(text) == "201210123456.8"

    def test_it_accepts_old_eight_digit_numbers(self) -> None:
        number = "02100323." + patent_check_character("02100323")
        validate_patent_number(number)
        assert patent_kind(number) == "invention"

    def test_it_rejects_a_wrong_check_digit(self) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_patent_number("ZL201210123456.7")
        assert exc.value.error_list[0].code == "patent_check"
        assert "8" in exc.value.messages[0]

    def test_it_rejects_an_unknown_type_digit(self) -> None:
        digits = "201250123456"
        with pytest.raises(ValidationError) as exc:
            validate_patent_number(f"{digits}.{patent_check_character(digits)}")
        assert exc.value.error_list[0].code == "patent_type"

    def test_it_reads_the_kind_from_the_type_digit(self) -> None:
        for digit, kind in (("1", "invention"), ("2", "utility_model"), ("3", "design")):
            digits = f"2019{digit}0123456"
            assert patent_kind(f"{digits}.{patent_check_character(digits)}") == kind

    def test_it_rejects_garbage(self) -> None:
        with pytest.raises(ValidationError):
            validate_patent_number("not a patent")


def test_software_and_plant_variety_shapes() -> None:
    validate_software_copyright_number("2019SR0123456")
    validate_plant_variety_number("CNA20171234.5")
    with pytest.raises(ValidationError):
        validate_software_copyright_number("SR2019")
    with pytest.raises(ValidationError):
        validate_plant_variety_number("20171234")


class TestPhoneNumber:
    @pytest.mark.parametrize(
        ("written", "dialled"),
        [
            ("13812345678", "+8613812345678"),
            ("138 1234 5678", "+8613812345678"),
            ("138-1234-5678", "+8613812345678"),
            ("+86 138 1234 5678", "+8613812345678"),
            ("0086 13812345678", "+8613812345678"),
            ("010-62780000", "+861062780000"),
            ("010 6278 0000", "+861062780000"),
            ("021-1234567", "+86211234567"),  # a seven-digit number
            ("0571-88888888 转 123", "+8657188888888;ext=123"),
            ("0571-88888888 分机 8", "+8657188888888;ext=8"),
            ("010-62780000-1234", "+861062780000;ext=1234"),
            ("010-62780000 ext. 12", "+861062780000;ext=12"),
            ("+86 10 6278 0000", "+861062780000"),
            ("+86-10-62780000", "+861062780000"),
            ("+86 010 62780000", "+861062780000"),
            ("400-810-1234", "4008101234"),
            ("800 810 1234", "8008101234"),
            ("400-810-1234 转 2", "4008101234;ext=2"),
            ("＋８６ １３８１２３４５６７８", "+8613812345678"),  # typed with a Chinese input method
        ],
    )
    def test_it_accepts_the_usual_spellings_and_normalises_them_for_dialling(self, written: str, dialled: str) -> None:
        validate_phone_number(written)
        assert normalise_phone_number(written) == dialled

    @pytest.mark.parametrize(
        "text",
        [
            "abc",
            "",
            "010-1",
            "62780000",  # no area code
            "1381234567",  # ten digits
            "12345678901",  # not a mobile prefix
            "13812345678-12",  # a mobile has no extension
            "+1 555 123 4567",  # abroad
            "+86 400 810 1234",  # service numbers are national only
            "010/62780000",
            "010-62780000; 13812345678",  # two numbers
        ],
    )
    def test_it_rejects_what_is_not_a_chinese_phone_number(self, text: str) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_phone_number(text)
        assert exc.value.error_list[0].code == "phone"
        assert normalise_phone_number(text) == ""

    @pytest.mark.parametrize("example", PHONE_EXAMPLES)
    def test_its_examples_are_valid(self, example: str) -> None:
        validate_phone_number(example)

    def test_every_phone_field_of_the_project_checks_its_number(self) -> None:
        from django.apps import apps

        fields = [
            field
            for model in apps.get_models()
            if model.__module__.startswith("techtransfer.")
            for field in model._meta.get_fields()
            if "phone" in field.name
        ]
        assert {f"{f.model.__name__}.{f.name}" for f in fields} >= {
            "Achievement.contact_phone", "TechnologyDemand.contact_phone", "User.phone"
        }
        assert all(validate_phone_number in field.validators for field in fields)
