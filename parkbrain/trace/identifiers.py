"""Translation between EPC URNs (GS1 Tag Data Standard 2.x) and GS1 Digital Link URIs (1.x).

EPCIS 2.0 lets a capturing application send either form and lets a client ask for either
(the ``GS1-EPC-Format`` header), so the repository stores one form and translates on the way out.
Both forms carry the same GS1 key: an EPC URN splits it at the company prefix and omits the check
digit; a Digital Link carries the key whole, with its check digit, after an Application Identifier.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

from biip.gs1_prefixes import GS1CompanyPrefix

GS1_DL_ORIGIN = "https://id.gs1.org"

#: Company-prefix length used for a key GS1's prefix table does not cover. A Digital Link does
#: not carry the length; GS1 publishes it per prefix range (the GCP length table, which biip
#: ships), so two parties turning the same link into a URN agree without asking each other.
DEFAULT_GCP_LENGTH = 7

GcpLength = int | Callable[[str], int] | None

#: Values of the EPCIS ``GS1-EPC-Format`` request header.
ALWAYS_GS1_DIGITAL_LINK = "Always_GS1_Digital_Link"
ALWAYS_EPC_URN = "Always_EPC_URN"
NEVER_TRANSLATES = "Never_Translates"
NO_PREFERENCE = "No_Preference"
EPC_FORMATS = (ALWAYS_GS1_DIGITAL_LINK, ALWAYS_EPC_URN, NEVER_TRANSLATES, NO_PREFERENCE)


class IdentifierError(ValueError):
    """A URI that claims to be an EPC or GS1 Digital Link identifier but is malformed."""


# GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1).
_CSET82 = frozenset(
    "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
)
# Character set 39, used by the Component/Part Identifier (AI 8010).
_CSET39 = frozenset("#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# TDS 2.x: these must be %-escaped inside an EPC URN component; the rest of CSET 82 is literal.
_URN_ESCAPED = frozenset('"%&/<>?#')
# GS1 Digital Link 1.x, table of characters to percent-encode: everything outside this set.
_DL_SAFE = "-._';="

_SHORT_NAMES = {
    "gtin": "01",
    "itip": "8006",
    "cpid": "8010",
    "gln": "414",
    "party": "417",
    "gsrnp": "8017",
    "gsrn": "8018",
    "gcn": "255",
    "sscc": "00",
    "gdti": "253",
    "ginc": "401",
    "gsin": "402",
    "grai": "8003",
    "giai": "8004",
    "cpv": "22",
    "lot": "10",
    "ser": "21",
    "glnx": "254",
    "cpsn": "8011",
    "tpx": "235",
}

# Primary key AI -> its key qualifiers, in the order a Digital Link path must give them.
_QUALIFIERS: dict[str, tuple[str, ...]] = {
    "01": ("22", "10", "21", "235"),
    "8006": ("22", "10", "21"),
    "414": ("254",),
    "8010": ("8011",),
    "00": (),
    "417": (),
    "8003": (),
    "8004": (),
    "8017": (),
    "8018": (),
    "253": (),
    "255": (),
    "401": (),
    "402": (),
}

# Shape of each AI value: a regex over the decoded value.
_AI_SYNTAX: dict[str, re.Pattern[str]] = {
    "01": re.compile(r"\d{14}"),
    "00": re.compile(r"\d{18}"),
    "414": re.compile(r"\d{13}"),
    "417": re.compile(r"\d{13}"),
    "8017": re.compile(r"\d{18}"),
    "8018": re.compile(r"\d{18}"),
    "402": re.compile(r"\d{17}"),
    "253": re.compile(r"\d{13}.{0,17}"),
    "255": re.compile(r"\d{13}\d{0,12}"),
    "8003": re.compile(r"0\d{13}.{0,16}"),
    "8004": re.compile(r"\d.{0,29}"),
    "401": re.compile(r"\d.{0,29}"),
    "8006": re.compile(r"\d{18}"),
    "8010": re.compile(r"[#\-/0-9A-Z]{1,30}"),
    "8011": re.compile(r"\d{1,12}"),
    "22": re.compile(r".{1,20}"),
    "10": re.compile(r".{1,20}"),
    "21": re.compile(r".{1,20}"),
    "235": re.compile(r".{1,28}"),
    "254": re.compile(r".{1,20}"),
}

# Where the GS1 check digit sits in each AI value, as (start, end) of the digits it covers.
_CHECKED: dict[str, tuple[int, int]] = {
    "01": (0, 13),
    "00": (0, 17),
    "414": (0, 12),
    "417": (0, 12),
    "8017": (0, 17),
    "8018": (0, 17),
    "402": (0, 16),
    "253": (0, 12),
    "255": (0, 12),
    "8003": (1, 13),
    "8006": (0, 13),
}


@dataclass(frozen=True)
class Gs1Key:
    """A GS1 key with its key qualifiers, values decoded (no escapes), check digits included.

    ``primary`` is the AI of the key (``"01"`` for a GTIN); ``qualifiers`` are (AI, value) pairs in
    Digital Link order, e.g. ``(("21", "987"),)`` for a serial number.
    """

    primary: str
    value: str
    qualifiers: tuple[tuple[str, str], ...] = ()

    def qualifier(self, ai: str) -> str | None:
        """Value of one key qualifier, or None when absent."""
        return dict(self.qualifiers).get(ai)

    def digital_link(self) -> str:
        """The canonical GS1 Digital Link URI: id.gs1.org, numeric AIs, no query string."""
        path = f"/{self.primary}/{_dl_encode(self.value)}"
        for ai, value in self.qualifiers:
            path += f"/{ai}/{_dl_encode(value)}"
        return GS1_DL_ORIGIN + path


def gs1_check_digit(digits: str) -> str:
    """GS1 mod-10 check digit for a string of digits (GTIN, GLN, SSCC, GSRN, GDTI, ...)."""
    if not digits.isdigit():
        raise IdentifierError(f"check digit needs digits only, got {digits!r}")
    # Weights 3, 1, 3, ... from the right; summed by map in C, several times faster.
    total = 3 * sum(map(int, digits[::-2])) + sum(map(int, digits[-2::-2]))
    return str(-total % 10)


def _dl_encode(value: str) -> str:
    return quote(value, safe=_DL_SAFE)


def _urn_encode(value: str) -> str:
    return "".join(f"%{ord(c):02X}" if c in _URN_ESCAPED else c for c in value)


def _urn_decode(component: str, what: str, charset: frozenset[str] = _CSET82) -> str:
    if re.search(r"%(?![0-9A-Fa-f]{2})", component):
        raise IdentifierError(f"{what} {component!r} has a '%' that is not a %XX escape")
    value = unquote(component)
    bad = sorted({c for c in value if c not in charset})
    if bad:
        raise IdentifierError(f"{what} {value!r} has characters outside GS1 CSET 82: {bad}")
    return value


def _check_cset82(value: str, what: str) -> None:
    bad = sorted({c for c in value if c not in _CSET82})
    if bad:
        raise IdentifierError(f"{what} {value!r} has characters outside GS1 CSET 82: {bad}")


def _digits(part: str, what: str, length: int | None = None) -> str:
    if not part.isdigit() or (length is not None and len(part) != length):
        size = f"{length} digits" if length is not None else "digits"
        raise IdentifierError(f"{what} must be {size}, got {part!r}")
    return part


def _company_prefix(part: str) -> str:
    if not part.isdigit() or not 6 <= len(part) <= 12:
        raise IdentifierError(f"GS1 company prefix must be 6-12 digits, got {part!r}")
    return part


def _with_check(digits: str) -> str:
    return digits + gs1_check_digit(digits)


def _split(body: str, count: int, scheme: str) -> list[str]:
    parts = body.split(".", count - 1)
    if len(parts) != count:
        raise IdentifierError(f"urn:epc {scheme} needs {count} dot-separated parts, got {body!r}")
    return parts


def _gtin_from(cp: str, item_ref: str, scheme: str) -> str:
    _company_prefix(cp)
    _digits(item_ref, f"{scheme} indicator/item reference", 13 - len(cp))
    return _with_check(item_ref[0] + cp + item_ref[1:])


def _cp_ref(cp: str, ref: str, total: int, what: str) -> str:
    _company_prefix(cp)
    # A 12-digit prefix leaves an empty reference (e.g. urn:epc:id:pgln:999999999999.).
    if (ref and not ref.isdigit()) or len(cp) + len(ref) != total:
        raise IdentifierError(f"{what} must be digits making {total} with the company prefix")
    return cp + ref


def _key_from_id_urn(scheme: str, body: str) -> Gs1Key:
    if scheme == "sgtin":
        cp, ir, serial = _split(body, 3, scheme)
        return Gs1Key("01", _gtin_from(cp, ir, scheme), (("21", _urn_decode(serial, "serial")),))
    if scheme == "sscc":
        cp, sr = _split(body, 2, scheme)
        _company_prefix(cp)
        _digits(sr, "sscc extension/serial reference", 17 - len(cp))
        return Gs1Key("00", _with_check(sr[0] + cp + sr[1:]))
    if scheme == "sgln":
        cp, lr, ext = _split(body, 3, scheme)
        gln = _with_check(_cp_ref(cp, lr, 12, "sgln location reference"))
        ext = _urn_decode(ext, "sgln extension")
        # TDS: extension "0" means "no extension", i.e. the GLN itself.
        return Gs1Key("414", gln, () if ext == "0" else (("254", ext),))
    if scheme == "pgln":
        cp, pr = _split(body, 2, scheme)
        return Gs1Key("417", _with_check(_cp_ref(cp, pr, 12, "pgln party reference")))
    if scheme == "grai":
        cp, at, serial = _split(body, 3, scheme)
        grai = _with_check("0" + _cp_ref(cp, at, 12, "grai asset type"))
        return Gs1Key("8003", grai + _urn_decode(serial, "grai serial"))
    if scheme == "giai":
        cp, ref = _split(body, 2, scheme)
        return Gs1Key("8004", _company_prefix(cp) + _urn_decode(ref, "giai asset reference"))
    if scheme in ("gsrn", "gsrnp"):
        cp, sr = _split(body, 2, scheme)
        ai = "8018" if scheme == "gsrn" else "8017"
        return Gs1Key(ai, _with_check(_cp_ref(cp, sr, 17, f"{scheme} service reference")))
    if scheme == "gdti":
        cp, dt, serial = _split(body, 3, scheme)
        gdti = _with_check(_cp_ref(cp, dt, 12, "gdti document type"))
        return Gs1Key("253", gdti + _urn_decode(serial, "gdti serial"))
    if scheme == "sgcn":
        cp, ct, serial = _split(body, 3, scheme)
        gcn = _with_check(_cp_ref(cp, ct, 12, "sgcn coupon reference"))
        return Gs1Key("255", gcn + _digits(serial, "sgcn serial"))
    if scheme == "cpi":
        cp, ref, serial = _split(body, 3, scheme)
        cpid = _company_prefix(cp) + _urn_decode(ref, "cpi part reference", _CSET39)
        return Gs1Key("8010", cpid, (("8011", _digits(serial, "cpi serial")),))
    if scheme == "ginc":
        cp, ref = _split(body, 2, scheme)
        return Gs1Key("401", _company_prefix(cp) + _urn_decode(ref, "ginc consignment reference"))
    if scheme == "gsin":
        cp, sr = _split(body, 2, scheme)
        return Gs1Key("402", _with_check(_cp_ref(cp, sr, 16, "gsin shipper reference")))
    if scheme == "itip":
        cp, ir, piece, total, serial = _split(body, 5, scheme)
        gtin = _gtin_from(cp, ir, scheme)
        pieces = _digits(piece, "itip piece", 2) + _digits(total, "itip total", 2)
        return Gs1Key("8006", gtin + pieces, (("21", _urn_decode(serial, "itip serial")),))
    if scheme == "upui":
        cp, ir, tpx = _split(body, 3, scheme)
        return Gs1Key("01", _gtin_from(cp, ir, scheme), (("235", _urn_decode(tpx, "upui TPX")),))
    raise IdentifierError(f"urn:epc:id scheme {scheme!r} has no GS1 Digital Link equivalent")


def _key_from_idpat(scheme: str, body: str) -> Gs1Key:
    parts = body.split(".")
    if parts[-1] != "*" or any("*" in p for p in parts[:-1]):
        raise IdentifierError(f"only '<company>.<reference>.*' idpat URNs translate, got {body!r}")
    if scheme == "sgtin" and len(parts) == 3:
        return Gs1Key("01", _gtin_from(parts[0], parts[1], scheme))
    if scheme == "grai" and len(parts) == 3:
        return Gs1Key("8003", _with_check("0" + _cp_ref(parts[0], parts[1], 12, "grai asset type")))
    if scheme == "gdti" and len(parts) == 3:
        return Gs1Key("253", _with_check(_cp_ref(parts[0], parts[1], 12, "gdti document type")))
    if scheme == "sgcn" and len(parts) == 3:
        return Gs1Key("255", _with_check(_cp_ref(parts[0], parts[1], 12, "sgcn coupon reference")))
    if scheme == "cpi" and len(parts) == 3:
        return Gs1Key(
            "8010", _company_prefix(parts[0]) + _urn_decode(parts[1], "cpi reference", _CSET39)
        )
    if scheme == "itip" and len(parts) == 5:
        gtin = _gtin_from(parts[0], parts[1], scheme)
        pieces = _digits(parts[2], "itip piece", 2) + _digits(parts[3], "itip total", 2)
        return Gs1Key("8006", gtin + pieces)
    raise IdentifierError(f"urn:epc:idpat:{scheme}:{body} has no GS1 Digital Link equivalent")


def _key_from_urn(urn: str) -> Gs1Key:
    match = re.fullmatch(r"urn:epc:(id|idpat|class):([a-z]+):(.+)", urn)
    if not match:
        raise IdentifierError(f"not an EPC pure identity, class or pattern URN: {urn!r}")
    kind, scheme, body = match.groups()
    if kind == "id":
        return _key_from_id_urn(scheme, body)
    if kind == "idpat":
        return _key_from_idpat(scheme, body)
    if scheme != "lgtin":
        raise IdentifierError(f"urn:epc:class scheme {scheme!r} is not supported (only lgtin)")
    cp, ir, lot = _split(body, 3, scheme)
    return Gs1Key("01", _gtin_from(cp, ir, scheme), (("10", _urn_decode(lot, "lot")),))


def _looks_like_digital_link(uri: str) -> bool:
    return bool(re.match(r"https?://", uri, re.IGNORECASE))


def _key_from_digital_link(uri: str) -> Gs1Key | None:
    """Parse a Digital Link; None when the path carries no GS1 key (an ordinary web URI).

    A path whose key AI and value have the right shape but a wrong check digit is an error,
    not "some other URI": it is almost certainly a mistyped identifier.
    """
    parts = urlsplit(uri)
    segments = parts.path.split("/")[1:]
    if segments and segments[-1] == "":
        segments.pop()
    for start, segment in enumerate(segments):
        primary = _SHORT_NAMES.get(segment, segment)
        if primary not in _QUALIFIERS:
            continue
        rest = segments[start:]
        if len(rest) % 2:
            continue
        pairs = [
            (_SHORT_NAMES.get(rest[i], rest[i]), unquote(rest[i + 1]))
            for i in range(0, len(rest), 2)
        ]
        value = pairs[0][1]
        if primary == "01" and re.fullmatch(r"\d{8}|\d{12,13}", value):
            value = value.zfill(14)
        if not _AI_SYNTAX[primary].fullmatch(value):
            continue
        allowed = _QUALIFIERS[primary]
        positions = [allowed.index(ai) if ai in allowed else -1 for ai, _ in pairs[1:]]
        if -1 in positions or positions != sorted(set(positions)):
            continue
        if any(not _AI_SYNTAX[ai].fullmatch(v) for ai, v in pairs[1:]):
            continue
        if "21" in dict(pairs[1:]) and "235" in dict(pairs[1:]):
            continue
        _verify_check_digit(primary, value, uri)
        for ai, v in [(primary, value), *pairs[1:]]:
            if ai != "8010":
                _check_cset82(v, f"AI ({ai}) value")
        return Gs1Key(primary, value, tuple(pairs[1:]))
    return None


def _verify_check_digit(ai: str, value: str, uri: str) -> None:
    span = _CHECKED.get(ai)
    if span is None:
        return
    start, end = span
    expected = gs1_check_digit(value[start:end])
    if value[end] != expected:
        raise IdentifierError(
            f"AI ({ai}) {value[: end + 1]!r} in {uri!r} has check digit {value[end]}, "
            f"expected {expected}"
        )


# Validation and the Event Hash ID both read each identifier, and a lot's recurs across a
# document; the key is immutable, so parsing each text once is safe.
@lru_cache(maxsize=65536)
def gs1_key(uri: str) -> Gs1Key | None:
    """The GS1 key in an EPC URN or GS1 Digital Link; None for any other URI.

    Raises IdentifierError for a malformed ``urn:epc:`` URN, an EPC scheme without a GS1 key
    (e.g. ``gid``, ``usdod``) or a Digital Link with a wrong check digit.
    """
    uri = uri.strip()
    if uri.startswith("urn:epc:"):
        return _key_from_urn(uri)
    if _looks_like_digital_link(uri):
        return _key_from_digital_link(uri)
    return None


def to_digital_link(uri: str) -> str:
    """Canonical GS1 Digital Link (id.gs1.org host, numeric AIs) of an EPC URN or Digital Link."""
    key = gs1_key(uri)
    if key is None:
        raise IdentifierError(f"not an EPC URN or GS1 Digital Link: {uri!r}")
    return key.digital_link()


def published_gcp_length(key_digits: str) -> int:
    """The company-prefix length GS1's table gives for a key starting with the prefix
    (``DEFAULT_GCP_LENGTH`` where the table has no entry, as for restricted ranges)."""
    prefix = GS1CompanyPrefix.extract(key_digits.ljust(13, "0"))
    return len(prefix.value) if prefix else DEFAULT_GCP_LENGTH


def _resolve_gcp_length(key_digits: str, gcp_length: GcpLength) -> int:
    if gcp_length is None:
        length = published_gcp_length(key_digits)
    elif callable(gcp_length):
        length = gcp_length(key_digits)
    else:
        length = gcp_length
    if not 6 <= length <= 12:
        raise IdentifierError(f"GS1 company prefix length must be 6-12, got {length}")
    return length


def to_epc_urn(uri: str, gcp_length: GcpLength = None) -> str:
    """EPC URN (pure identity, lgtin class or idpat) for a GS1 Digital Link or EPC URN.

    A Digital Link does not say where the company prefix ends: ``gcp_length`` gives it, either as
    a number or as a callable taking the key's digits without indicator/extension digit (so
    it starts with the prefix) and returning the length; by default GS1's published table.
    An EPC URN input is returned in normal form (its own prefix length is kept).
    Lossy by the standards' design: a lot next to a serial and a CPV (AI 22) have no place in an
    EPC and are dropped.
    """
    uri = uri.strip()
    if uri.startswith("urn:epc:"):
        _key_from_urn(uri)
        return _normal_urn(uri)
    key = gs1_key(uri)
    if key is None:
        raise IdentifierError(f"not a GS1 Digital Link: {uri!r}")
    return _urn_from_key(key, gcp_length)


def _normal_urn(urn: str) -> str:
    """Re-escape an EPC URN so equal identifiers compare equal (%2f vs %2F, %21 vs !)."""
    head, _, body = urn.rpartition(":")
    parts = body.split(".")
    return head + ":" + ".".join(_urn_encode(unquote(p)) if p != "*" else p for p in parts)


def _urn_from_key(key: Gs1Key, gcp_length: GcpLength) -> str:
    v = key.value
    q = dict(key.qualifiers)

    def split(digits: str) -> tuple[str, str]:
        n = _resolve_gcp_length(digits, gcp_length)
        return digits[:n], digits[n:]

    def gtin_parts(gtin: str) -> tuple[str, str]:
        cp, rest = split(gtin[1:13])
        return cp, gtin[0] + rest

    if key.primary == "01":
        cp, ir = gtin_parts(v)
        if "21" in q:
            return f"urn:epc:id:sgtin:{cp}.{ir}.{_urn_encode(q['21'])}"
        if "235" in q:
            return f"urn:epc:id:upui:{cp}.{ir}.{_urn_encode(q['235'])}"
        if "10" in q:
            return f"urn:epc:class:lgtin:{cp}.{ir}.{_urn_encode(q['10'])}"
        return f"urn:epc:idpat:sgtin:{cp}.{ir}.*"
    if key.primary == "00":
        cp, sr = split(v[1:17])
        return f"urn:epc:id:sscc:{cp}.{v[0]}{sr}"
    if key.primary == "414":
        cp, lr = split(v[:12])
        return f"urn:epc:id:sgln:{cp}.{lr}.{_urn_encode(q.get('254', '0'))}"
    if key.primary == "417":
        cp, pr = split(v[:12])
        return f"urn:epc:id:pgln:{cp}.{pr}"
    if key.primary == "8003":
        cp, at = split(v[1:13])
        serial = v[14:]
        if not serial:
            return f"urn:epc:idpat:grai:{cp}.{at}.*"
        return f"urn:epc:id:grai:{cp}.{at}.{_urn_encode(serial)}"
    if key.primary == "8004":
        cp, ref = split(v)
        return f"urn:epc:id:giai:{cp}.{_urn_encode(ref)}"
    if key.primary in ("8017", "8018"):
        cp, sr = split(v[:17])
        return f"urn:epc:id:{'gsrn' if key.primary == '8018' else 'gsrnp'}:{cp}.{sr}"
    if key.primary == "253":
        cp, dt = split(v[:12])
        serial = v[13:]
        if not serial:
            return f"urn:epc:idpat:gdti:{cp}.{dt}.*"
        return f"urn:epc:id:gdti:{cp}.{dt}.{_urn_encode(serial)}"
    if key.primary == "255":
        cp, ct = split(v[:12])
        serial = v[13:]
        return (
            f"urn:epc:id:sgcn:{cp}.{ct}.{serial}" if serial else f"urn:epc:idpat:sgcn:{cp}.{ct}.*"
        )
    if key.primary == "8010":
        cp, ref = split(v)
        if "8011" in q:
            return f"urn:epc:id:cpi:{cp}.{_urn_encode(ref)}.{q['8011']}"
        return f"urn:epc:idpat:cpi:{cp}.{_urn_encode(ref)}.*"
    if key.primary == "401":
        cp, ref = split(v)
        return f"urn:epc:id:ginc:{cp}.{_urn_encode(ref)}"
    if key.primary == "402":
        cp, sr = split(v[:16])
        return f"urn:epc:id:gsin:{cp}.{sr}"
    if key.primary == "8006":
        cp, ir = gtin_parts(v[:14])
        piece, total = v[14:16], v[16:18]
        if "21" in q:
            return f"urn:epc:id:itip:{cp}.{ir}.{piece}.{total}.{_urn_encode(q['21'])}"
        return f"urn:epc:idpat:itip:{cp}.{ir}.{piece}.{total}.*"
    raise IdentifierError(f"AI ({key.primary}) has no EPC URN form")


# EPC schemes that are not GS1 keys (TDS: GID, US DoD, ADI, BIC, IMO vessel number): no Digital
# Link form exists, so they are stored and shown as given.
NON_GS1_EPCS = tuple(f"urn:epc:id:{s}:" for s in ("gid", "usdod", "adi", "bic", "imovn"))
#: Every EPC scheme of TDS 2.x (urn:epc:id:<scheme>:…, and the patterns of each).
EPC_SCHEMES = frozenset(
    {
        *("sgtin", "sscc", "sgln", "grai", "giai", "gsrn", "gsrnp", "gdti", "cpi", "sgcn"),
        *("ginc", "gsin", "itip", "upui", "pgln", "gid", "usdod", "adi", "bic", "imovn"),
    }
)


def canonical(uri: str, gcp_length: GcpLength = None) -> str:
    """The one stored form of an identifier URI.

    EPC URNs and GS1 Digital Links (any host, short or numeric AIs) become an EPC URN in normal
    form; any other URI (``urn:uuid:``, plain https, ``geo:``) is returned as given, stripped.
    """
    uri = uri.strip()
    if uri.startswith(NON_GS1_EPCS):
        return uri  # an EPC without a GS1 key has one form only
    key = gs1_key(uri)
    if key is None:
        return uri
    if uri.startswith("urn:epc:"):
        return _normal_urn(uri)
    return _urn_from_key(key, gcp_length)


def as_format(uri: str, fmt: str, gcp_length: GcpLength = None) -> str:
    """Render a (stored) identifier as the ``GS1-EPC-Format`` header value asks.

    ``Never_Translates`` returns the URI untouched; ``No_Preference`` returns the stored form
    (see ``canonical``); identifiers without a GS1 key are never translated.
    """
    if fmt not in EPC_FORMATS:
        raise IdentifierError(f"unknown GS1-EPC-Format {fmt!r}; expected one of {EPC_FORMATS}")
    if fmt == NEVER_TRANSLATES or uri.startswith(NON_GS1_EPCS):
        return uri
    if fmt == NO_PREFERENCE:
        return canonical(uri, gcp_length)
    key = gs1_key(uri)
    if key is None:
        return uri.strip()
    if fmt == ALWAYS_GS1_DIGITAL_LINK:
        return key.digital_link()
    return to_epc_urn(uri, gcp_length)
