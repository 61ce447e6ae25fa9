import hashlib
import re
from datetime import date

import pytest
from django.urls import reverse

from parkbrain.registry.models import AboveScaleYear, ApiToken, Enterprise, Park

pytestmark = pytest.mark.django_db

LIST = "registry:enterprises"


@pytest.fixture
def analyst(client, demo):
    client.force_login(demo.user("analyst"))
    return client


def _names(response) -> list[str]:
    return [e.name for e in response.context["rows"]]


def test_list_searches_by_part_of_the_name(analyst, demo):
    gear = demo.firms["gear"]
    response = analyst.get(reverse(LIST), {"q": "精环传动"})
    assert _names(response) == [gear.name]


def test_list_searches_by_the_start_of_the_credit_code_however_typed(analyst, demo):
    gear = demo.firms["gear"]
    typed = " " + gear.credit_code[:12].lower() + " "
    response = analyst.get(reverse(LIST), {"q": typed})
    expected = Enterprise.objects.filter(
        zone=demo.zone, credit_code__startswith=gear.credit_code[:12]
    )
    assert set(_names(response)) == set(expected.values_list("name", flat=True))
    assert gear.name in _names(response)


def test_list_filters_by_park_including_its_centres(analyst, demo):
    park = Park.objects.get(zone=demo.zone, name="智能装备产业园")
    response = analyst.get(reverse(LIST), {"park": park.pk, "sort": "name"})
    expected = Enterprise.objects.filter(zone=demo.zone, park__in=[park, *park.centres.all()])
    assert response.context["page"].paginator.count == expected.count()
    shown = {e.pk for e in response.context["rows"]}
    assert shown <= set(expected.values_list("pk", flat=True))
    everything = analyst.get(reverse(LIST), {"park": park.pk, "q": "启行"})
    assert _names(everything) == [demo.firms["ev"].name]  # in a centre inside the park


def test_list_filters_by_industry_size_and_year(analyst, demo):
    response = analyst.get(
        reverse(LIST), {"industry": "equipment", "above_scale": "yes", "year": 2023}
    )
    expected = Enterprise.objects.filter(
        zone=demo.zone, industry__slug="equipment", above_scale_years__year=2023
    )
    assert response.context["page"].paginator.count == expected.count() > 0
    assert all(e.is_above_scale for e in response.context["rows"])


def test_below_size_filter_is_the_complement(analyst, demo, other_zone):
    total = Enterprise.objects.filter(zone=demo.zone).count()
    above = analyst.get(reverse(LIST), {"above_scale": "yes"}).context["page"].paginator.count
    below = analyst.get(reverse(LIST), {"above_scale": "no"}).context["page"].paginator.count
    assert above + below == total
    ours = AboveScaleYear.objects.filter(enterprise__zone=demo.zone)
    assert above == ours.filter(year=2026).count()


def test_list_filters_by_tag(analyst, demo):
    response = analyst.get(reverse(LIST), {"tag": "little-giant"})
    names = _names(response)
    assert demo.firms["gear"].name in names
    assert set(names) == set(
        Enterprise.objects.filter(tags__slug="little-giant").values_list("name", flat=True)
    )


def test_invalid_filter_values_are_reported_and_ignored(analyst, demo):
    response = analyst.get(reverse(LIST), {"park": "999999", "q": "精环"})
    assert "park" in response.context["filter"].errors
    assert _names(response) == [demo.firms["gear"].name]


def test_list_sorts_by_any_sortable_column_both_ways(analyst, demo):
    fields = {
        "land": "land_area_mu",
        "founded_on": "founded_on",
        "capital": "registered_capital_yuan",
        "credit_code": "credit_code",
        "name": "name",
    }
    zone_firms = Enterprise.objects.filter(zone=demo.zone)
    for key, field in fields.items():
        for sign in ("", "-"):
            rows = analyst.get(reverse(LIST), {"sort": f"{sign}{key}"}).context["rows"]
            # The database's own order (collation for names), ties broken by id.
            expected = zone_firms.order_by(f"{sign}{field}", "id")[: len(rows)]
            assert [e.pk for e in rows] == [e.pk for e in expected], f"{sign}{key}"


def test_filters_left_empty_say_all_not_dashes(analyst, demo):
    html = analyst.get(reverse(LIST)).content.decode()
    assert "---------" not in html
    for name in ("park", "industry", "above_scale", "tag", "status"):
        assert re.search(
            rf'<select name="{name}"[^>]*>\s*<option value="" selected>全部</option>', html
        )


def test_default_order_is_largest_registered_capital_first(analyst, demo):
    rows = analyst.get(reverse(LIST)).context["rows"]
    capitals = [e.registered_capital_yuan for e in rows]
    assert capitals == sorted(capitals, reverse=True)
    assert rows[0].registered_capital_yuan == max(
        Enterprise.objects.filter(zone=demo.zone).values_list("registered_capital_yuan", flat=True)
    )


def test_pages_cover_every_enterprise_once(analyst, demo):
    seen = []
    page = 1
    while True:
        response = analyst.get(reverse(LIST), {"sort": "land", "page": page})
        seen += [e.pk for e in response.context["rows"]]
        if not response.context["page"].has_next():
            break
        page += 1
    assert page > 1
    assert sorted(seen) == sorted(
        Enterprise.objects.filter(zone=demo.zone).values_list("pk", flat=True)
    )


def test_htmx_requests_get_only_the_table(analyst, demo):
    response = analyst.get(reverse(LIST), {"q": "精环"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert 'data-testid="enterprise-table"' in body
    assert 'hx-swap-oob="true"' in body


def test_list_query_count_does_not_grow_with_the_page(analyst, demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        analyst.get(reverse(LIST))


def test_detail_shows_registry_facts(analyst, demo):
    gear = demo.firms["gear"]
    body = analyst.get(reverse("registry:enterprise", args=[gear.pk])).content.decode()
    assert gear.credit_code in body
    assert "3453 齿轮及齿轮减、变速箱制造" in body
    assert "2015-11-16" in body  # signed with the zone in November 2015
    assert "专精特新“小巨人”企业" in body
    years = sorted(AboveScaleYear.objects.filter(enterprise=gear).values_list("year", flat=True))
    block = re.search(r'data-testid="above-scale-years">(.*?)</div>', body, re.S).group(1)
    shown_on = [int(y) for y in re.findall(r'<span class="on"[^>]*>(\d{4})</span>', block)]
    assert shown_on == years == list(range(2021, 2027))


def test_detail_query_count(analyst, demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        analyst.get(reverse("registry:enterprise", args=[demo.firms["gear"].pk]))


def test_enterprise_user_creates_and_revokes_a_token(client, demo):
    gear = demo.firms["gear"]
    client.force_login(demo.user("gear"))
    response = client.post(reverse("registry:token-create", args=[gear.pk]), {"name": "二车间网关"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    raw = response.context["raw"]
    token = ApiToken.objects.get(enterprise=gear, name="二车间网关")
    assert raw.startswith(f"pbk_{token.prefix}_")
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    client.post(reverse("registry:token-revoke", args=[gear.pk, token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_token_without_a_name_is_refused(client, demo):
    gear = demo.firms["gear"]
    client.force_login(demo.user("gear"))
    response = client.post(reverse("registry:token-create", args=[gear.pk]), {"name": ""})
    assert response.status_code == 302
    assert not gear.api_tokens.filter(name="").exists()


def test_token_creation_needs_post(client, demo):
    client.force_login(demo.user("gear"))
    url = reverse("registry:token-create", args=[demo.firms["gear"].pk])
    assert client.get(url).status_code == 405


def test_each_count_says_what_it_counts(analyst, demo):
    """经营主体 counts the firms in business; the list counts every row it lists."""
    home = analyst.get(reverse("home"))
    in_business = Enterprise.objects.filter(zone=demo.zone, status__in=("operating", "suspended"))
    assert home.context["market_entities"] == in_business.count()
    assert "园区的企业数含园内中心的企业" in home.content.decode()
    listed = analyst.get(reverse(LIST))
    assert (
        listed.context["page"].paginator.count == Enterprise.objects.filter(zone=demo.zone).count()
    )
    assert "（含所有登记状态）" in listed.content.decode()
    operating = analyst.get(reverse(LIST), {"status": "operating"}).content.decode()
    assert "（含所有登记状态）" not in operating


def test_zone_home_figures_are_counted_from_rows(analyst, demo, other_zone):
    context = analyst.get(reverse("home")).context
    year = context["year"]
    assert year == 2026
    ours = AboveScaleYear.objects.filter(enterprise__zone=demo.zone)
    assert context["above_scale_count"] == ours.filter(year=2026).count()
    assert context["above_scale_previous"] == ours.filter(year=2025).count()
    assert context["above_scale_by_year"] == {
        y: ours.filter(year=y).count() for y in range(2021, 2027)
    }
    assert (
        context["market_entities"]
        == Enterprise.objects.filter(zone=demo.zone, status__in=["operating", "suspended"]).count()
    )


def test_manager_home_lists_assigned_enterprises(client, demo):
    client.force_login(demo.user("pm"))
    response = client.get(reverse("home"))
    names = {e.name for e in response.context["enterprises"]}
    assert demo.firms["gear"].name in names
    assert names == set(
        Enterprise.objects.filter(assignments__manager=demo.user("pm")).values_list(
            "name", flat=True
        )
    )


def test_zone_page_lists_parks_centres_and_outlines(analyst, demo):
    response = analyst.get(reverse("registry:zone"))
    assert len(response.context["parks"]) == 4
    assert len(response.context["centres"]) == 5
    features = response.context["map_data"]["geojson"]["features"]
    assert len(features) == 9
    assert features[0]["properties"]["kind"] == "park"  # parks first, centres on top
    assert {c["name"] for c in response.context["map_data"]["centres"]} == {
        "新能源汽车智造中心",
        "数字经济双创新中心",
        "湾谷健康医疗创业中心",
        "桐乡科创中心",
        "视觉物联创新中心",
    }


def test_language_follows_the_users_choice_not_the_browser(client, demo):
    client.force_login(demo.user("analyst"))
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("home"))
    assert response["Content-Language"] == "en"
    assert "The zone at a glance" in response.content.decode()


def test_founding_dates_are_not_in_the_future(demo):
    assert not Enterprise.objects.filter(founded_on__gt=date(2026, 11, 26)).exists()


def test_detail_shows_the_organisation_code_warning(analyst, demo):
    from parkbrain.registry import uscc

    gear = demo.firms["gear"]
    # Keep the 18th character valid but break the embedded GB 11714 check character.
    wrong = "X" if gear.credit_code[16] != "X" else "0"
    Enterprise.objects.filter(pk=gear.pk).update(
        credit_code=uscc.complete(gear.credit_code[:16] + wrong)
    )
    body = analyst.get(reverse("registry:enterprise", args=[gear.pk])).content.decode()
    assert 'data-testid="code-warning"' in body
    assert "组织机构代码的校验码" in body


def test_back_button_restore_gets_the_whole_page(analyst, demo):
    response = analyst.get(
        reverse(LIST), {"q": "精环"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]


def test_zone_map_takes_multipolygon_outlines(analyst, demo):
    park = Park.objects.get(zone=demo.zone, name="高桥农业科技产业园")
    second = [[[p[0] + 0.1, p[1]] for p in park.outline["coordinates"][0]]]
    park.outline = {"type": "MultiPolygon", "coordinates": [park.outline["coordinates"], second]}
    park.full_clean()
    park.save()
    response = analyst.get(reverse("registry:zone"))
    assert response.status_code == 200
    labels = {p["name"] for p in response.context["map_data"]["parks"]}
    assert "高桥农业科技产业园" in labels


def test_home_without_a_city_baseline_shows_the_zone_land(client, other_zone):
    client.force_login(other_zone["admin"])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert response.context["land"].area_share is None
    assert "0.60" in response.content.decode()  # 900 mu = 0.60 km²
