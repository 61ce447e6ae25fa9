"""EPC URN <-> GS1 Digital Link translation (GS1 TDS 2.x, GS1 Digital Link 1.x)."""

import pytest

from parkbrain.trace.identifiers import (
    DEFAULT_GCP_LENGTH,
    IdentifierError,
    as_format,
    canonical,
    gs1_check_digit,
    published_gcp_length,
    to_digital_link,
    to_epc_urn,
)

# (EPC URN, canonical Digital Link, company-prefix length) — examples from the TDS and the
# reference implementation's normalisation vector.
PAIRS = [
    ("urn:epc:id:sgtin:4012345.011111.9876", "https://id.gs1.org/01/04012345111118/21/9876", 7),
    ("urn:epc:id:sgtin:0614141.812345.6789", "https://id.gs1.org/01/80614141123458/21/6789", 7),
    (
        "urn:epc:id:sgtin:415056789012.0.987654",
        "https://id.gs1.org/01/04150567890128/21/987654",
        12,
    ),
    ("urn:epc:id:sscc:4012345.3111111111", "https://id.gs1.org/00/340123451111111111", 7),
    ("urn:epc:id:sgln:4012345.00005.122", "https://id.gs1.org/414/4012345000054/254/122", 7),
    ("urn:epc:id:sgln:4012345.00005.0", "https://id.gs1.org/414/4012345000054", 7),
    ("urn:epc:id:pgln:4000001.00000", "https://id.gs1.org/417/4000001000005", 7),
    ("urn:epc:id:pgln:999999999999.", "https://id.gs1.org/417/9999999999994", 12),
    ("urn:epc:id:grai:4012345.00022.334455", "https://id.gs1.org/8003/04012345000221334455", 7),
    ("urn:epc:id:giai:4012345.ABC345", "https://id.gs1.org/8004/4012345ABC345", 7),
    ("urn:epc:id:gsrn:4012345.0000006765", "https://id.gs1.org/8018/401234500000067657", 7),
    ("urn:epc:id:gsrnp:4012345.0000000007", "https://id.gs1.org/8017/401234500000000074", 7),
    ("urn:epc:id:gdti:4012345.00009.PO-4711", "https://id.gs1.org/253/4012345000092PO-4711", 7),
    ("urn:epc:id:gdti:987659999999..9", "https://id.gs1.org/253/98765999999929", 12),
    ("urn:epc:id:sgcn:4012345.67890.04711", "https://id.gs1.org/255/401234567890104711", 7),
    (
        "urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234",
        "https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234",
        7,
    ),
    ("urn:epc:id:ginc:0614141.xyz47%2F11", "https://id.gs1.org/401/0614141xyz47%2F11", 7),
    ("urn:epc:id:gsin:4012345.222333444", "https://id.gs1.org/402/40123452223334442", 7),
    (
        "urn:epc:id:itip:4012345.011111.01.02.987",
        "https://id.gs1.org/8006/040123451111180102/21/987",
        7,
    ),
    (
        "urn:epc:id:upui:1234567.098765.51qIgY)%3C%26Jp3*j7'SDB",
        "https://id.gs1.org/01/01234567987651/235/51qIgY%29%3C%26Jp3%2Aj7'SDB",
        7,
    ),
    (
        "urn:epc:class:lgtin:4012345.012345.Lot987",
        "https://id.gs1.org/01/04012345123456/10/Lot987",
        7,
    ),
    ("urn:epc:idpat:sgtin:4012345.012345.*", "https://id.gs1.org/01/04012345123456", 7),
    ("urn:epc:idpat:grai:4012345.66666.*", "https://id.gs1.org/8003/04012345666663", 7),
]


@pytest.mark.parametrize(("urn", "link", "gcp"), PAIRS, ids=[p[0] for p in PAIRS])
def test_urn_translates_to_digital_link_and_back(urn: str, link: str, gcp: int) -> None:
    assert to_digital_link(urn) == link
    assert to_epc_urn(link, gcp_length=gcp) == urn
    assert canonical(link, gcp_length=gcp) == urn


@pytest.mark.parametrize(
    ("digits", "check"),
    [
        ("0401234511111", "8"),
        ("04012345000000333", "8"),
        ("401234500005", "4"),
        ("629104150021", "3"),
    ],
)
def test_gs1_check_digit_matches_gs1_general_specifications(digits: str, check: str) -> None:
    assert gs1_check_digit(digits) == check


def test_wrong_check_digit_in_a_digital_link_is_rejected() -> None:
    with pytest.raises(IdentifierError, match="check digit 9, expected 8"):
        to_epc_urn("https://id.gs1.org/01/04012345111119/21/9876")
    with pytest.raises(IdentifierError, match="check digit"):
        canonical("https://id.gs1.org/00/340123451111111112")


def test_any_host_short_names_and_query_string_are_normalised_away() -> None:
    link = "https://example.com/some/prefix/gtin/09780345418913/ser/765tz?abc=211121"
    assert to_digital_link(link) == "https://id.gs1.org/01/09780345418913/21/765tz"
    assert canonical(link) == "urn:epc:id:sgtin:9780345.041891.765tz"


def test_short_gtins_are_padded_to_fourteen_digits() -> None:
    assert to_digital_link("https://id.gs1.org/01/4012345111118") == (
        "https://id.gs1.org/01/04012345111118"
    )


def test_company_prefix_length_comes_from_gs1s_table_and_a_lookup_can_override_it() -> None:
    # GS1 China issues 7-digit prefixes under 690 and 691 and 8-digit ones under 692 to 695.
    link = "https://id.gs1.org/01/06901234567892/21/A1"
    assert to_epc_urn(link) == "urn:epc:id:sgtin:6901234.056789.A1"
    assert to_epc_urn("https://id.gs1.org/01/06921234567890/21/A1") == (
        "urn:epc:id:sgtin:69212345.06789.A1"
    )
    assert to_epc_urn("https://id.gs1.org/00/069212345000000019") == (
        "urn:epc:id:sscc:69212345.000000001"
    )
    assert to_epc_urn(link, gcp_length=lambda digits: 9) == "urn:epc:id:sgtin:690123456.0789.A1"


def test_a_prefix_outside_gs1s_table_falls_back_to_the_default_length() -> None:
    # 02 is a restricted-circulation range: no company prefix is issued there.
    assert published_gcp_length("021234567890") == DEFAULT_GCP_LENGTH


def test_urn_escapes_become_digital_link_percent_encoding() -> None:
    urn = "urn:epc:id:sgtin:0614141.812345.6789%2F%26%25%22!%3F()"
    link = "https://id.gs1.org/01/80614141123458/21/6789%2F%26%25%22%21%3F%28%29"
    assert to_digital_link(urn) == link
    assert to_epc_urn(link) == urn


def test_urn_escapes_are_normalised_to_upper_case() -> None:
    assert canonical("urn:epc:id:sgtin:4012345.011111.a%2fb") == (
        "urn:epc:id:sgtin:4012345.011111.a%2Fb"
    )


def test_lot_beside_a_serial_is_dropped_for_the_epc() -> None:
    link = "https://id.gs1.org/01/04012345111118/10/LOT1/21/9876"
    assert to_epc_urn(link) == "urn:epc:id:sgtin:4012345.011111.9876"


@pytest.mark.parametrize(
    "uri",
    [
        "urn:uuid:7c4d6e4f-0f7a-4e8b-9d2a-2b1a3c4d5e6f",
        "https://example.com/blog/2024/01/05",
        "http://transaction.acme.com/po/12345678",
        "geo:47.506694,11.104301",
        "urn:epcglobal:cbv:bt:4012345000009:ASN1099",
    ],
)
def test_uris_without_a_gs1_key_are_stored_unchanged(uri: str) -> None:
    assert canonical(uri) == uri
    assert as_format(uri, "Always_GS1_Digital_Link") == uri
    assert as_format(uri, "Always_EPC_URN") == uri


def test_gs1_epc_format_header_values_are_honoured() -> None:
    urn = "urn:epc:id:sscc:4012345.3111111111"
    link = "https://example.org/00/340123451111111111"
    assert as_format(urn, "Always_GS1_Digital_Link") == "https://id.gs1.org/00/340123451111111111"
    assert as_format(link, "Always_EPC_URN") == urn
    assert as_format(link, "Never_Translates") == link
    assert as_format(link, "No_Preference") == urn
    with pytest.raises(IdentifierError, match="unknown GS1-EPC-Format"):
        as_format(urn, "Sometimes")


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("urn:epc:id:sgtin:4012345.01111.9876", "indicator/item reference"),
        ("urn:epc:id:sgtin:4012345.011111", "3 dot-separated parts"),
        ("urn:epc:id:sgtin:40123.0111111.1", "company prefix"),
        ("urn:epc:id:sgtin:4012345.011111.a%zz", "%XX escape"),
        ("urn:epc:id:sgtin:4012345.011111.caf\u00e9", "CSET 82"),
        ("urn:epc:id:gid:95100000.12345.400", "no GS1 Digital Link"),
        ("urn:epc:id:sscc:4012345.311111111", "serial reference"),
        ("urn:epc:class:foo:1.2.3", "only lgtin"),
        ("urn:epc:bogus", "not an EPC"),
    ],
)
def test_malformed_epc_urns_raise_identifier_errors(uri: str, message: str) -> None:
    with pytest.raises(IdentifierError, match=message):
        to_digital_link(uri)


def test_identifier_error_is_a_value_error() -> None:
    assert issubclass(IdentifierError, ValueError)


@pytest.mark.parametrize(
    "uri", ["urn:epc:id:gid:95100000.12345.400", "urn:epc:id:usdod:CAGE1.5678"]
)
def test_epcs_without_a_gs1_key_keep_their_one_form(uri):
    assert canonical(uri) == uri
    assert as_format(uri, "Always_GS1_Digital_Link") == uri
