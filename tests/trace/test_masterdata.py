"""Location master data sent in a capture's header: names and containment saved as the
enterprise's locations, in JSON-LD and XML, all or nothing, for the capturing enterprise only."""

import json

import pytest

from parkbrain.trace.masterdata import location_entries
from parkbrain.trace.models import Event, Location

pytestmark = pytest.mark.django_db

CAPTURE = "/api/epcis/capture"
PLANT = "urn:epc:id:sgln:6901234.00010.0"
HEAT_SHOP = "urn:epc:id:sgln:6901234.00013.0"
FURNACE = "urn:epc:id:sgln:6901234.00013.F001"
NAME = "urn:epcglobal:cbv:mda#name"
READ_POINTS = "urn:epcglobal:epcis:vtype:ReadPoint"
SITES = "urn:epcglobal:epcis:vtype:BusinessLocation"


def _vocabulary(kind: str, *elements: dict) -> dict:
    return {"type": kind, "vocabularyElementList": list(elements)}


def _element(uri: str, name: str | None = None, children: tuple[str, ...] = ()) -> dict:
    element: dict = {"id": uri}
    if name is not None:
        element["attributes"] = [{"id": NAME, "attribute": name}]
    if children:
        element["children"] = list(children)
    return element


def _document(*vocabularies: dict, serial: int = 1) -> dict:
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-03-01T00:00:00Z",
        "epcisHeader": {"epcisMasterData": {"vocabularyList": list(vocabularies)}},
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "eventTime": "2026-03-01T08:00:00+08:00",
                    "eventTimeZoneOffset": "+08:00",
                    "action": "OBSERVE",
                    "epcList": [f"urn:epc:id:sgtin:6901234.012345.{serial}"],
                    "bizStep": "inspecting",
                    "readPoint": {"id": FURNACE},
                }
            ]
        },
    }


def _capture(client, document, auth: dict, **headers) -> dict:
    body = document if isinstance(document, (bytes, str)) else json.dumps(document)
    media = "application/xml" if isinstance(document, str) else "application/ld+json"
    response = client.post(CAPTURE, data=body, content_type=media, **auth, **headers)
    assert response.status_code == 202, response.content
    return response.json()


def _places(enterprise) -> dict[str, tuple[str, str | None]]:
    return {
        loc.uri: (loc.name, loc.parent.uri if loc.parent else None)
        for loc in Location.objects.filter(enterprise=enterprise).select_related("parent")
    }


STATED = (
    _vocabulary(
        SITES, _element(PLANT, "一号厂区", (HEAT_SHOP,)), _element(HEAT_SHOP, "热处理车间")
    ),
    _vocabulary(
        READ_POINTS, _element(FURNACE, "渗碳炉 F001"), _element(HEAT_SHOP, None, (FURNACE,))
    ),
)


def test_entries_merge_an_elements_name_with_the_parent_its_container_states():
    assert location_entries(_document(*STATED)) == [
        {"id": PLANT, "name": "一号厂区"},
        {"id": HEAT_SHOP, "parent": PLANT, "name": "热处理车间"},
        {"id": FURNACE, "name": "渗碳炉 F001", "parent": HEAT_SHOP},
    ]
    other = _vocabulary("urn:epcglobal:epcis:vtype:EPCClass", _element("urn:epc:idpat:x", "齿轮"))
    assert location_entries(_document(other)) == []
    assert location_entries({"epcisHeader": "not an object"}) == []


def test_a_capture_saves_its_headers_locations_and_later_ones_keep_what_they_omit(
    client, gear_token, demo
):
    job = _capture(client, _document(*STATED), gear_token)
    assert job["success"], job["errors"]
    gear = demo.firms["gear"]
    assert _places(gear) == {
        PLANT: ("一号厂区", None),
        HEAT_SHOP: ("热处理车间", PLANT),
        FURNACE: ("渗碳炉 F001", HEAT_SHOP),
    }
    # A later document renames the furnace only: the shop keeps its name and parent.
    renamed = _vocabulary(READ_POINTS, _element(FURNACE, "渗碳炉 F001（大修后）"))
    assert _capture(client, _document(renamed, serial=2), gear_token)["success"]
    assert _places(gear)[FURNACE] == ("渗碳炉 F001（大修后）", HEAT_SHOP)
    assert _places(gear)[HEAT_SHOP] == ("热处理车间", PLANT)
    # The hierarchy serves the with-descendants queries.
    found = client.get("/api/epcis/events", {"WD_readPoint": PLANT}, **gear_token).json()
    assert len(found["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 2


def test_bad_master_data_saves_nothing_or_only_the_events_naming_the_problem(
    client, gear_token, demo
):
    cycle = _vocabulary(
        SITES, _element(PLANT, "厂区", (HEAT_SHOP,)), _element(HEAT_SHOP, "车间", (PLANT,))
    )
    job = _capture(client, _document(cycle), gear_token)
    assert (job["success"], job["state"], job["eventsRefused"]) == (False, "failed", 1)
    # Each of the two, being the other's parent, would close the cycle.
    assert [(e["index"], e["field"], e["value"]) for e in job["errors"]] == [
        (None, "epcisHeader.epcisMasterData.parent", HEAT_SHOP),
        (None, "epcisHeader.epcisMasterData.parent", PLANT),
    ]
    assert not Event.objects.exists() and not Location.objects.exists()
    job = _capture(client, _document(cycle), gear_token, HTTP_GS1_CAPTURE_ERROR_BEHAVIOUR="proceed")
    assert (job["state"], job["eventsSaved"]) == ("partial", 1)
    assert not Location.objects.exists()


def test_an_enterprise_states_only_its_own_locations(client, gear_token, ev_token, demo):
    _capture(client, _document(*STATED), gear_token)
    theirs = _vocabulary(SITES, _element(PLANT, "别人的厂区"))
    assert _capture(client, _document(theirs, serial=3), ev_token)["success"]
    assert _places(demo.firms["gear"])[PLANT] == ("一号厂区", None)
    assert _places(demo.firms["ev"]) == {PLANT: ("别人的厂区", None)}


XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"
    creationDate="2026-03-01T00:00:00Z">
  <EPCISHeader>
    <epcisMasterData>
      <VocabularyList>
        <Vocabulary type="{SITES}">
          <VocabularyElementList>
            <VocabularyElement id="{PLANT}">
              <attribute id="{NAME}">一号厂区</attribute>
              <children><id>{HEAT_SHOP}</id></children>
            </VocabularyElement>
            <VocabularyElement id="{HEAT_SHOP}">
              <attribute id="{NAME}">热处理车间</attribute>
            </VocabularyElement>
          </VocabularyElementList>
        </Vocabulary>
      </VocabularyList>
    </epcisMasterData>
  </EPCISHeader>
  <EPCISBody>
    <EventList>
      <ObjectEvent>
        <eventTime>2026-03-01T08:00:00+08:00</eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <epcList><epc>urn:epc:id:sgtin:6901234.012345.9</epc></epcList>
        <action>OBSERVE</action>
      </ObjectEvent>
    </EventList>
  </EPCISBody>
</epcis:EPCISDocument>"""


def test_the_xml_header_is_read_the_same_way(client, gear_token, demo):
    job = _capture(client, XML, gear_token)
    assert job["success"], job["errors"]
    assert _places(demo.firms["gear"]) == {
        PLANT: ("一号厂区", None),
        HEAT_SHOP: ("热处理车间", PLANT),
    }


@pytest.mark.parametrize("entry", [{"name": "无编码的库位"}, {"id": "nowhere"}, {"id": " "}])
def test_a_location_without_an_identifier_is_refused(client, gear_token, entry):
    response = client.post(
        "/api/epcis/locations", [entry], content_type="application/json", **gear_token
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "id"
    from parkbrain.trace.models import Location

    assert not Location.objects.exists()


EPC_CLASSES = "urn:epcglobal:epcis:vtype:EPCClass"
SHORT = "urn:epcglobal:cbv:mda#descriptionShort"


def test_the_headers_epc_classes_name_the_capturing_enterprises_products(
    client, gear_token, ev_token, demo
):
    from parkbrain.trace.models import Product
    from parkbrain.trace.products import gtin_of

    gear_gtin = gtin_of("urn:epc:id:sgtin:6901234.012345.1")
    classes = _vocabulary(
        EPC_CLASSES,
        {
            "id": "urn:epc:idpat:sgtin:6901234.012345.*",
            "attributes": [{"id": "cbvmda:descriptionShort", "attribute": " 二挡从动齿轮 "}],
        },
        # A lot's class and a Digital Link name GTINs too; the regulated name when no short one.
        {
            "id": "urn:epc:class:lgtin:6901234.011111.HEAT-1",
            "attributes": [
                {"id": "urn:epcglobal:cbv:mda#regulatedProductName", "attribute": "齿轮钢"}
            ],
        },
        # Not a GTIN, or no name: not kept.
        {
            "id": "urn:gdst:example.com:product:class:1.TUNA",
            "attributes": [{"id": SHORT, "attribute": "金枪鱼"}],
        },
        {"id": "https://id.gs1.org/01/09521234543213", "attributes": []},
    )
    job = _capture(client, _document(classes), gear_token)
    assert job["success"], job["errors"]
    stored = dict(Product.objects.filter(enterprise=demo.firms["gear"]).values_list("gtin", "name"))
    assert stored == {
        gear_gtin: "二挡从动齿轮",
        gtin_of("urn:epc:class:lgtin:6901234.011111.HEAT-1"): "齿轮钢",
    }
    assert not Product.objects.filter(enterprise=demo.firms["ev"]).exists()
    # The pages call the serial by its product's name; another enterprise sees none of it.
    client.force_login(demo.user("gear"))
    found = client.get("/trace/suggest/", {"q": "二挡"}).json()["suggestions"]
    assert {"value": "二挡从动齿轮", "label": "二挡从动齿轮", "kind": "产品"} in found
    client.force_login(demo.user("ev"))
    assert client.get("/trace/suggest/", {"q": "二挡"}).json()["suggestions"] == []
