"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-character alphabet (digits and capitals without I, O, S, V, Z):
position 1 registration authority, 2 entity type, 3-8 the GB/T 2260 division of the
registering authority, 9-17 the GB 11714 organisation code (17 is its own check character),
18 the check character over the first 17 with weights 3^(i-1) mod 31.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: value for value, char in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18

# GB 11714 organisation code: digits and all capitals, weights per position, mod 11.
ORG_VALUES = {char: int(char, 36) for char in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

# Registration authorities (position 1) and entity types (positions 1-2) of GB 32100-2015.
AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "市场监管",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}
ENTITY_TYPES = {
    "11": "机关",
    "12": "事业单位",
    "13": "中央编办直接管理机构编制的群众团体",
    "19": "其他",
    "21": "外国常驻新闻机构",
    "29": "其他",
    "31": "律师执业机构",
    "32": "公证处",
    "33": "基层法律服务所",
    "34": "司法鉴定机构",
    "35": "仲裁委员会",
    "39": "其他",
    "41": "外国在华文化中心",
    "49": "其他",
    "51": "社会团体",
    "52": "民办非企业单位",
    "53": "基金会",
    "59": "其他",
    "61": "外国在华旅游办事处",
    "69": "其他",
    "71": "宗教活动场所",
    "72": "宗教院校",
    "79": "其他",
    "81": "基层工会",
    "89": "其他",
    "91": "企业",
    "92": "个体工商户",
    "93": "农民专业合作社",
    "A1": "军队事业单位",
    "A9": "其他",
    "N1": "组级集体经济组织",
    "N2": "村级集体经济组织",
    "N3": "乡镇级集体经济组织",
    "N9": "其他",
    "Y1": "其他",
}


def check_character(first17: str) -> str:
    """The 18th character for 17 characters of the alphabet."""
    total = sum(VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def organisation_check_character(first8: str) -> str:
    """GB 11714 check character for the 8 body characters of an organisation code."""
    total = sum(ORG_VALUES[char] * weight for char, weight in zip(first8, ORG_WEIGHTS, strict=True))
    remainder = 11 - total % 11
    return {10: "X", 11: "0"}.get(remainder, str(remainder))


@dataclass
class CreditCodeCheck:
    """The outcome of checking one code: the normalised code, errors and warnings."""

    code: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def normalise(raw: str) -> str:
    """Trim, drop inner spaces and upper-case, as clerks paste codes from many sources."""
    return "".join(raw.split()).upper()


def check(raw: str) -> CreditCodeCheck:
    """Check a code and say exactly what is wrong with it."""
    code = normalise(raw)
    result = CreditCodeCheck(code=code)
    if len(code) != LENGTH:
        result.errors.append(
            _("A credit code has 18 characters; this one has %(count)d.") % {"count": len(code)}
        )
        return result
    bad = [(i, char) for i, char in enumerate(code, start=1) if char not in VALUES]
    for position, char in bad:
        result.errors.append(
            _(
                "Character %(position)d, '%(char)s', is not allowed: credit codes use digits "
                "and capital letters except I, O, S, V and Z."
            )
            % {"position": position, "char": char}
        )
    if bad:
        return result
    if not code[2:8].isdigit():
        result.errors.append(
            _("Characters 3 to 8, '%(division)s', must be the six digits of a division code.")
            % {"division": code[2:8]}
        )
        return result
    expected = check_character(code[:17])
    if code[17] != expected:
        result.errors.append(
            _("The check character (18th) should be '%(expected)s', not '%(actual)s'.")
            % {"expected": expected, "actual": code[17]}
        )
        return result
    if code[:2] not in ENTITY_TYPES:
        result.warnings.append(
            _("'%(prefix)s' is not a registration authority and entity type of GB 32100.")
            % {"prefix": code[:2]}
        )
    org_expected = organisation_check_character(code[8:16])
    if code[16] != org_expected:
        result.warnings.append(
            _(
                "The embedded organisation code's check character (17th) should be "
                "'%(expected)s', not '%(actual)s'; some codes issued before 2015 fail this check."
            )
            % {"expected": org_expected, "actual": code[16]}
        )
    return result


@dataclass(frozen=True)
class CreditCodeParts:
    """What the positions of a valid code mean."""

    authority: str
    entity_type: str
    division_code: str
    organisation_code: str


def parts(code: str) -> CreditCodeParts:
    return CreditCodeParts(
        authority=AUTHORITIES.get(code[0], code[0]),
        entity_type=ENTITY_TYPES.get(code[:2], code[:2]),
        division_code=code[2:8],
        organisation_code=f"{code[8:16]}-{code[16]}",
    )


def complete(first17: str) -> str:
    """A full code from its first 17 characters (used by the demo generator and tests)."""
    return first17 + check_character(first17)
