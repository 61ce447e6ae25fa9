"""A reader who chose English reads names kept in two languages in English: indicators, zone
industries, tags, warning rules, and dates near today. Proper names (firms, parks, people)
stay as they are written."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from parkbrain.core.i18n import local_name
from parkbrain.core.templatetags.parkbrain import day_and_weekday
from parkbrain.monitoring.models import Alert, WarningRule
from parkbrain.registry.models import Tag
from parkbrain.reporting.models import Indicator
from tests.conftest import AS_OF

pytestmark = pytest.mark.django_db


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_local_name_follows_the_language_and_falls_back_to_chinese(demo):
    output = Indicator.objects.get(code="output_value")
    with translation.override("en"):
        assert local_name(output) == output.name_en != output.name
        assert local_name(Tag(name="新标签", name_en="")) == "新标签"
    with translation.override("zh-hans"):
        assert local_name(output) == output.name


def test_dates_near_today_read_naturally_in_both_languages():
    day = AS_OF.replace(day=6)
    weekday = "一二三四五六日"[day.weekday()]
    with translation.override("zh-hans"):
        assert day_and_weekday(day) == f"{day.month}月6日（星期{weekday}）"
    with translation.override("en"):
        assert day_and_weekday(day) == f"{day:%B} 6 ({day:%a})"


def test_the_warning_pages_name_rules_and_figures_in_english(client, demo_with_reports):
    client = _english(client)
    client.force_login(demo_with_reports.user("analyst"))
    rules = client.get(reverse("monitoring:rules")).content.decode()
    for rule in WarningRule.objects.filter(zone=demo_with_reports.zone):
        assert rule.name_en and rule.name_en in rules and rule.name not in rules
    alerts = Alert.objects.filter(rule__zone=demo_with_reports.zone, rule__indicator__isnull=False)
    assert alerts.exists(), "the demo evaluates the last months' warnings"
    alert = alerts.first()
    page = client.get(reverse("monitoring:detail", args=[alert.pk])).content.decode()
    message = page.split('data-testid="alert-message">')[1].split("</p>")[0]
    indicator = alert.rule.indicator
    assert indicator.name_en in message and indicator.name not in message


def test_the_month_form_and_the_enterprise_page_in_english(client, demo_with_reports):
    client = _english(client)
    gear = demo_with_reports.firms["gear"]
    client.force_login(demo_with_reports.user("gear"))
    form = client.get(reverse("reporting:month", args=[gear.pk, 2026, 10])).content.decode()
    assert Indicator.objects.get(code="output_value").name_en in form
    assert "工业总产值" not in form
    client.force_login(demo_with_reports.user("analyst"))
    page = client.get(reverse("registry:enterprise", args=[gear.pk])).content.decode()
    for tag in gear.tags.all():
        assert tag.name_en in page and tag.name not in page
    assert gear.name in page  # a firm's name is its name in every language


def test_the_cockpit_reads_in_english(client, demo_with_reports):
    client = _english(client)
    client.force_login(demo_with_reports.user("analyst"))
    page = client.get(reverse("cockpit:dashboard")).content.decode()
    output = Indicator.objects.get(code="output_value")
    assert output.name_en in page and "100 million yuan" in page
    assert "亿元" not in page and output.name not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    page = client.get(reverse("cockpit:dashboard")).content.decode()
    assert output.name in page and "亿元" in page
