import pytest
from django.utils import translation

from parkbrain.registry import uscc

# Published codes of well-known companies, and the example code printed in GB 32100-2015.
PUBLISHED = [
    "91350100M000100Y43",  # the standard's own example
    "91330100716105852F",  # 阿里巴巴（中国）网络技术有限公司
    "914403001922038216",  # 华为技术有限公司
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "91110108551385082Q",  # 小米科技有限责任公司
]


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code):
    result = uscc.check(code)
    assert result.is_valid, result.errors
    assert result.code == code


def test_weights_are_powers_of_three_mod_31():
    assert uscc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_check_character_worked_by_hand():
    # The standard's example 91350100M000100Y4·: values × weights
    # 9·1 + 1·3 + 3·9 + 5·27 + 1·26 + M(21)·20 + 1·8 + Y(30)·30 + 4·28 = 1640;
    # 1640 mod 31 = 28; 31 - 28 = 3.
    assert uscc.check_character("91350100M000100Y4") == "3"


def test_input_is_trimmed_and_upper_cased():
    result = uscc.check("  91330100716105852f \n")
    assert result.is_valid
    assert result.code == "91330100716105852F"


def test_inner_spaces_are_dropped():
    assert uscc.check("9133 0100 7161 0585 2F").code == "91330100716105852F"


@pytest.mark.parametrize(
    "code, length", [("9133010071610585", 16), ("91330100716105852F1", 19), ("", 0)]
)
def test_wrong_length_says_how_long_it_is(code, length):
    with translation.override("en"):
        result = uscc.check(code)
    assert not result.is_valid
    assert result.errors == [f"A credit code has 18 characters; this one has {length}."]


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_letters_outside_the_alphabet_are_named_with_their_position(letter):
    code = "91330100716105852F"
    bad = code[:4] + letter + code[5:]
    with translation.override("en"):
        result = uscc.check(bad)
    assert not result.is_valid
    assert len(result.errors) == 1
    assert f"Character 5, '{letter}'" in result.errors[0]


def test_wrong_check_character_says_what_it_should_be():
    with translation.override("en"):
        result = uscc.check("91330100716105852A")
    assert result.errors == ["The check character (18th) should be 'F', not 'A'."]


def test_messages_are_chinese_by_default():
    with translation.override("zh-hans"):
        result = uscc.check("91330100716105852A")
    assert "校验" in result.errors[0]


def test_every_single_character_change_is_caught():
    code = "914403001922038216"
    for position in range(18):
        for char in uscc.ALPHABET:
            if char == code[position]:
                continue
            changed = code[:position] + char + code[position + 1 :]
            assert not uscc.check(changed).is_valid, changed


def test_organisation_code_check_is_a_warning_not_an_error():
    # Change position 17 and fix position 18 so only the GB 11714 check fails.
    body = "91330100716105852F"[:16] + "9"
    code = uscc.complete(body)
    with translation.override("en"):
        result = uscc.check(code)
    assert result.is_valid
    assert result.warnings == [
        "The embedded organisation code's check character (17th) should be '2', not '9'; "
        "some codes issued before 2015 fail this check."
    ]


def test_organisation_check_character_worked_by_hand():
    # Weights 3, 7, 9, 10, 5, 8, 4, 2; check = 11 - (sum mod 11), 10 → X, 11 → 0.
    assert uscc.organisation_check_character("00000001") == "9"  # 2 → 9
    assert uscc.organisation_check_character("00000005") == "1"  # 10 → 1
    assert uscc.organisation_check_character("00000000") == "0"  # 0 → 11 → 0
    assert uscc.organisation_check_character("00000030") == "X"  # 12 mod 11 = 1 → 10 → X
    assert uscc.organisation_check_character("0000000A") == "2"  # A=10: 20 mod 11 = 9 → 2
    # 7·3 + 1·7 + 6·9 + 1·10 + 0·5 + 5·8 + 8·4 + 5·2 = 174; 174 mod 11 = 9 → 2
    assert uscc.organisation_check_character("71610585") == "2"


def test_parts_explain_the_positions():
    parts = uscc.parts("91330483MA2B4ED9XW")
    assert parts.authority == "市场监管"
    assert parts.entity_type == "企业"
    assert parts.division_code == "330483"
    assert parts.organisation_code == "MA2B4ED9-X"


def test_individual_business_codes_are_recognised():
    assert uscc.parts(uscc.complete("92330483MA2C11110")).entity_type == "个体工商户"


def test_division_positions_must_be_digits():
    code = uscc.complete("91ABCDEF" + "71610585" + "2")
    with translation.override("en"):
        result = uscc.check(code)
    assert result.errors == [
        "Characters 3 to 8, 'ABCDEF', must be the six digits of a division code."
    ]


def test_unknown_authority_and_type_is_a_warning():
    code = uscc.complete("AA330100" + "71610585" + "2")
    with translation.override("en"):
        result = uscc.check(code)
    assert result.is_valid
    assert result.warnings == ["'AA' is not a registration authority and entity type of GB 32100."]
