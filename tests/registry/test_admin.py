"""Django admin for zone administrators: their zone only, roles through the services."""

import pytest
from django.urls import reverse

from parkbrain.registry import services, uscc
from parkbrain.registry.choices import Role
from parkbrain.registry.models import Enterprise, Membership, Tag

pytestmark = pytest.mark.django_db


def test_list_filters_offer_only_the_zones_own_parks_and_industries(client, demo, other_zone):
    client.force_login(other_zone["admin"])
    body = client.get(reverse("admin:registry_enterprise_changelist")).content.decode()
    assert "测试园" in body and "纺织" in body
    for name in ("智能装备产业园", "高端装备制造业", "新能源汽车智造中心"):
        assert name not in body


def test_user_choices_are_people_of_the_zone(client, demo, other_zone, django_user_model):
    django_user_model.objects.create_superuser("root", password="root-pass-123")
    client.force_login(other_zone["admin"])
    membership = Membership.objects.get(user=other_zone["user"])
    response = client.get(reverse("admin:registry_membership_change", args=[membership.pk]))
    choices = {label for _value, label in response.context["adminform"].form.fields["user"].choices}
    assert "other-firm" in choices and "other-admin" in choices
    assert not choices & {"gear", "analyst", "admin", "root"}


def test_changing_a_role_in_admin_withdraws_admin_access(client, demo):
    admin, analyst = demo.user("admin"), demo.user("analyst")
    services.grant_role(analyst, demo.zone, Role.ZONE_ADMIN)
    assert analyst.is_staff
    client.force_login(admin)
    membership = analyst.membership
    url = reverse("admin:registry_membership_change", args=[membership.pk])
    response = client.post(
        url, {"user": analyst.pk, "zone": demo.zone.pk, "role": Role.ANALYST, "enterprise": ""}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    analyst.refresh_from_db()
    assert analyst.membership.role == Role.ANALYST
    assert not analyst.is_staff
    assert not analyst.groups.exists()
    client.force_login(analyst)
    assert client.get(reverse("admin:registry_enterprise_changelist")).status_code == 302


def test_promoting_in_admin_gives_admin_access(client, demo):
    analyst = demo.user("analyst")
    client.force_login(demo.user("admin"))
    url = reverse("admin:registry_membership_change", args=[analyst.membership.pk])
    client.post(
        url, {"user": analyst.pk, "zone": demo.zone.pk, "role": Role.ZONE_ADMIN, "enterprise": ""}
    )
    analyst.refresh_from_db()
    assert analyst.is_staff
    client.force_login(analyst)
    assert client.get(reverse("admin:registry_enterprise_changelist")).status_code == 200


def test_deleting_a_membership_in_admin_ends_admin_access(client, demo):
    analyst = demo.user("analyst")
    services.grant_role(analyst, demo.zone, Role.ZONE_ADMIN)
    client.force_login(demo.user("admin"))
    url = reverse("admin:registry_membership_delete", args=[analyst.membership.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    analyst.refresh_from_db()
    assert not analyst.is_staff
    assert not Membership.objects.filter(user=analyst).exists()


def test_enterprise_of_another_zone_cannot_be_bound_to_a_membership(client, demo, other_zone):
    client.force_login(other_zone["admin"])
    membership = Membership.objects.get(user=other_zone["user"])
    url = reverse("admin:registry_membership_change", args=[membership.pk])
    response = client.post(
        url,
        {
            "user": other_zone["user"].pk,
            "zone": other_zone["zone"].pk,
            "role": Role.ENTERPRISE,
            "enterprise": demo.firms["gear"].pk,
        },
    )
    assert response.status_code == 200
    assert "enterprise" in response.context["adminform"].form.errors
    membership.refresh_from_db()
    assert membership.enterprise == other_zone["firm"]


def test_zone_administrators_cannot_change_shared_reference_data(client, demo):
    tag = Tag.objects.get(slug="little-giant")
    client.force_login(demo.user("admin"))
    assert client.get(reverse("admin:registry_tag_changelist")).status_code == 200
    assert (
        client.post(
            reverse("admin:registry_tag_delete", args=[tag.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Tag.objects.filter(slug="little-giant").exists()
    response = client.post(
        reverse("admin:registry_tag_change", args=[tag.pk]),
        {"slug": "little-giant", "name": "改掉", "name_en": "x", "sort_order": 1},
    )
    assert response.status_code == 403
    assert Tag.objects.get(pk=tag.pk).name == "专精特新“小巨人”企业"
    assert client.get(reverse("admin:registry_industrycode_add")).status_code == 403


def _new_enterprise_form(demo, credit_code: str) -> dict[str, str]:
    industry_code = demo.firms["gear"].industry_code
    return {
        "zone": demo.zone.pk,
        "credit_code": credit_code,
        "name": "桐乡测试机械有限公司",
        "legal_representative": "李测试",
        "founded_on": "2020-03-01",
        "registered_capital_yuan": "5000000",
        "industry_code": industry_code.pk,
        "land_area_mu": "12",
        "ownership": demo.firms["gear"].ownership,
        "status": demo.firms["gear"].status,
        "above_scale_years-TOTAL_FORMS": "0",
        "above_scale_years-INITIAL_FORMS": "0",
    }


def test_a_credit_code_of_nineteen_characters_gets_one_error_that_counts_them(client, demo):
    client.force_login(demo.user("admin"))
    code = demo.firms["gear"].credit_code[:17] + "00"
    response = client.post(
        reverse("admin:registry_enterprise_add"), _new_enterprise_form(demo, code)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["credit_code"]
    assert errors["credit_code"] == ["统一社会信用代码应为 18 位，此代码为 19 位。"]


def test_a_pasted_credit_code_with_spaces_and_lower_case_is_accepted(client, demo):
    client.force_login(demo.user("admin"))
    code = uscc.complete("91330483MA2B1234" + uscc.organisation_check_character("MA2B1234"))
    pasted = f" {code[:8]} {code[8:].lower()} "
    page = client.get(reverse("admin:registry_enterprise_add")).content.decode()
    assert 'name="credit_code"' in page and 'maxlength="18"' not in page
    response = client.post(
        reverse("admin:registry_enterprise_add"), _new_enterprise_form(demo, pasted)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Enterprise.objects.filter(credit_code=code).exists()
