"""统一社会信用代码 (GB 32100-2015 check digit) and phone normalisation."""

import pytest
from django.core.exceptions import ValidationError

from customers import validators

# Codes of real companies, as printed on their business licences.
REAL_CODES = [
    "914403001922038216",  # 华为技术有限公司
    "9144030071526726XG",  # 深圳市腾讯计算机系统有限公司
    "91110108551385082Q",  # 小米科技有限责任公司
    "91330100799655058B",  # 阿里巴巴(中国)有限公司
    "12100000400000624D",  # a public institution (事业单位, authority 1 kind 2)
    "51100000500000497W",  # a social organisation (社会团体, authority 5 kind 1)
]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_credit_codes_pass(code):
    assert validators.validate_credit_code(code) == code
    assert validators.credit_check_char(code[:17]) == code[17]


def test_credit_code_is_normalised_before_checking():
    assert validators.validate_credit_code(" ９１４４０３００１９２２０３８２１６ ") == "914403001922038216"
    assert validators.validate_credit_code("9144030071526726xg") == "9144030071526726XG"


@pytest.mark.parametrize("code, reason", [
    ("914403001922038217", "check"),     # last digit changed
    ("914403001922038261", "check"),     # two digits swapped
    ("9144030071526726XH", "check"),
    ("91440300192203821", "length"),
    ("9144030019220382166", "length"),
    ("91440300192203821I", "chars"),     # I is not in the alphabet
    ("914403001922O38216", "chars"),     # O neither
    ("91A403001922038216", "chars"),     # the region part must be digits
    ("994403001922038216", "authority"), # 工商 (9) has no kind 9
    ("B14403001922038216", "authority"), # no authority B
    ("", "length"),
])
def test_bad_credit_codes_are_refused_with_the_reason(code, reason):
    with pytest.raises(ValidationError) as info:
        validators.validate_credit_code(code)
    assert info.value.code == reason


@pytest.mark.parametrize("raw, expected", [
    ("13800138000", "+8613800138000"),
    ("138 0013 8000", "+8613800138000"),
    ("+86 138-0013-8000", "+8613800138000"),
    ("８６１３８００１３８０００", "+8613800138000"),
    ("010-12345678", "+861012345678"),
    ("(010)12345678", "+861012345678"),
    ("0571-88886666", "+8657188886666"),
    ("010-12345678-8001", "+861012345678"),   # the extension is not part of the number
    ("010-12345678转8001", "+861012345678"),
    ("400-800-8888", "+864008008888"),
    ("+1 650 253 0000", "+16502530000"),
])
def test_phones_are_normalised_to_e164(raw, expected):
    assert validators.normalize_phone(raw) == expected
    assert validators.validate_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345", "010-1234", "abc", "1380013800", "95588"])
def test_non_numbers_are_refused(raw):
    assert validators.normalize_phone(raw) == ""
    with pytest.raises(ValidationError):
        validators.validate_phone(raw)


def test_search_digits_of_a_phone_like_term():
    assert validators.phone_search_digits("138-0013") == "1380013"
    assert validators.phone_search_digits("010-1234") == "101234"  # no trunk 0 in E.164
    assert validators.phone_search_digits("bjkj") == ""
    assert validators.phone_search_digits("12") == ""
