import pytest

from parkbrain.registry.classification import Classifier

pytestmark = pytest.mark.django_db


def test_class_codes_find_their_zone_industry_through_any_ancestor(demo):
    classifier = Classifier(demo.zone)
    assert classifier.industry_for("3670").slug == "equipment"  # via division 36
    assert classifier.industry_for("3061").slug == "materials"  # via division 30
    assert classifier.industry_for("6513").slug == "digital"  # via division 65
    assert classifier.industry_for("5810").slug == "services"  # via section G
    assert classifier.industry_for("1751") is None  # textiles: outside 3+1


def test_lineage_walks_up_to_the_section(demo):
    assert Classifier(demo.zone).lineage("3453") == ["3453", "345", "34", "C"]


def test_every_demo_enterprise_has_the_industry_its_code_implies(demo):
    from parkbrain.registry.models import Enterprise

    classifier = Classifier(demo.zone)
    for firm in Enterprise.objects.filter(zone=demo.zone).select_related(
        "industry_code", "industry"
    ):
        assert firm.industry == classifier.industry_for(firm.industry_code.code), firm
