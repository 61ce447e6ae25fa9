"""Tenancy: an enterprise never sees another's data, on any page or endpoint.

Every route (but admin and log-in) is listed in COVERED with the test that checks it;
test_every_route_has_a_cross_tenant_test fails when a new route is added without one.
"""

import importlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from parkbrain.registry import services, tenancy
from parkbrain.registry.models import Enterprise, Park
from parkbrain.reporting.models import MonthlyReport

pytestmark = pytest.mark.django_db

ACT_ON_WARNING = "tests.monitoring.test_views.test_cannot_act_on_another_enterprises_warning"
TRACE_READ = "tests.trace.test_capture.test_another_enterprise_cannot_read_the_event_or_the_job"
TRACE_QUERY_OTHER_FIRM = (
    "tests.trace.test_query.test_another_enterprise_sees_none_of_the_events_steps_or_locations"
)
TRACE_QUERY_ROLES = (
    "tests.trace.test_query.test_zone_staff_and_the_assigned_manager_see_the_events_others_do_not"
)
TRACE_COLLECTIONS = (
    "tests.trace.test_collections"
    ".test_another_enterprise_sees_none_of_the_collections_or_member_events"
)
ACCOUNTS_STAFF = "tests.registry.test_accounts.test_only_the_zones_administrators_manage_log_ins"
ACCOUNTS_ZONE = (
    "tests.registry.test_accounts.test_another_zones_administrator_sees_none_of_this_zones_people"
)
OBJECTIONS = (
    "tests.evaluation.test_views.test_objections_are_for_own_results_and_answers_for_the_zone"
)
FOLLOW_UP = "tests.monitoring.test_follow_up.test_follow_up_of_another_firms_warning_is_not_found"
NOTIFICATIONS = (
    "tests.notifications.test_notifications"
    ".test_nobody_opens_or_reads_another_persons_notifications"
)
COVERED = {
    "notifications:list": NOTIFICATIONS,
    "notifications:open": NOTIFICATIONS,
    "notifications:read-all": NOTIFICATIONS,
    "home": "test_enterprise_home_is_its_own_to_do",
    "password_change": "tests.registry.test_accounts.test_everyone_changes_their_own_password",
    "registry:accounts": ACCOUNTS_ZONE,
    "registry:account-create": ACCOUNTS_ZONE,
    "registry:account-enterprises": ACCOUNTS_ZONE,
    "registry:account": ACCOUNTS_ZONE,
    "registry:account-reset-password": ACCOUNTS_ZONE,
    "registry:account-active": ACCOUNTS_STAFF,
    "registry:enterprises": "test_list_shows_only_visible_enterprises",
    "registry:enterprise": "test_detail_of_another_enterprise_is_404",
    "registry:token-create": "test_cannot_create_a_token_for_another_enterprise",
    "registry:token-revoke": "test_cannot_revoke_another_enterprises_token",
    "registry:zone": "test_zone_page_counts_only_visible_enterprises",
    "api:me": "test_api_me_tells_the_scope",
    "api:list_enterprises": "test_api_list_is_scoped",
    "api:get_enterprise": "test_api_detail_of_another_enterprise_is_404",
    "api:list_parks": "test_api_parks_are_the_callers_zone",
    "api:get_park": "test_api_park_of_another_zone_is_404",
    "api:list_industries": "test_api_industries_are_the_callers_zone",
    "reporting:mine": "tests.reporting.test_views.test_enterprise_user_lands_on_its_own_reports",
    "reporting:enterprise": "tests.reporting.test_views.test_reports_of_another_enterprise_are_404",
    "reporting:month": "tests.reporting.test_views.test_reports_of_another_enterprise_are_404",
    "reporting:upload": "tests.reporting.test_views.test_upload_with_errors_saves_nothing",
    "reporting:template": "tests.reporting.test_views.test_template_is_prefilled_for_the_caller",
    "reporting:completeness": "tests.reporting.test_views.test_completeness_is_scoped",
    "api:list_indicators": "tests.reporting.test_api.test_indicator_catalogue",
    "api:list_reports": "tests.reporting.test_api.test_list_shows_only_the_callers_reports",
    "api:get_report": "tests.reporting.test_api.test_token_cannot_touch_another_enterprise",
    "api:put_report": "tests.reporting.test_api.test_token_cannot_touch_another_enterprise",
    "cockpit:dashboard": "tests.cockpit.test_views.test_another_zone_sees_only_its_own_figures",
    "cockpit:wall": "tests.cockpit.test_views.test_only_zone_staff_open_the_cockpit",
    "cockpit:wall-data": (
        "tests.cockpit.test_views.test_the_wall_data_is_the_walls_figures_for_its_zone_only"
    ),
    "cockpit:export": "tests.cockpit.test_views.test_only_zone_staff_open_the_cockpit",
    "cockpit:targets": "tests.cockpit.test_targets.test_only_the_zones_administrator_sets_a_target",
    "cockpit:portrait": "tests.cockpit.test_portrait.test_portrait_tenancy",
    "cockpit:firms": (
        "tests.cockpit.test_drill.test_only_zone_staff_see_the_firms_behind_a_figure"
    ),
    "jobs:list": "tests.jobs.test_jobs.test_only_the_starter_sees_a_job",
    "jobs:detail": "tests.jobs.test_jobs.test_only_the_starter_sees_a_job",
    "jobs:progress": "tests.jobs.test_jobs.test_only_the_starter_sees_a_job",
    "api:get_job": "tests.jobs.test_jobs.test_only_the_starter_sees_a_job",
    "cockpit:held_out": (
        "tests.cockpit.test_held_out.test_another_zone_sees_none_of_the_reports_held_out"
    ),
    "evaluation:results": "tests.evaluation.test_views.test_results_are_scoped",
    "evaluation:enterprise": (
        "tests.evaluation.test_views.test_explanation_of_another_enterprise_is_404"
    ),
    "evaluation:policy": "tests.evaluation.test_views.test_policy_simulator_is_scoped",
    "evaluation:export": "tests.evaluation.test_views.test_export_is_scoped",
    "evaluation:act": "tests.evaluation.test_views.test_only_zone_staff_move_the_life_cycle",
    "evaluation:object": OBJECTIONS,
    "evaluation:answer": OBJECTIONS,
    "evaluation:override": "tests.evaluation.test_views.test_cannot_override_another_zones_grade",
    "monitoring:list": "tests.monitoring.test_views.test_list_is_scoped",
    "monitoring:detail": "tests.monitoring.test_views.test_detail_of_another_enterprise_is_404",
    "monitoring:acknowledge": ACT_ON_WARNING,
    "monitoring:resolve": ACT_ON_WARNING,
    "monitoring:note": ACT_ON_WARNING,
    "monitoring:export": (
        "tests.monitoring.test_follow_up.test_the_export_is_the_filtered_list_the_user_may_see"
    ),
    "monitoring:acknowledge-selected": (
        "tests.monitoring.test_follow_up.test_acknowledging_many_touches_only_what_the_user_may_see"
    ),
    "monitoring:assign": FOLLOW_UP,
    "monitoring:supervise": FOLLOW_UP,
    "monitoring:rules": "tests.monitoring.test_views.test_rules_page_is_the_callers_zone",
    "monitoring:rule-edit": (
        "tests.monitoring.test_views.test_rule_edit_is_for_the_zones_administrator"
    ),
    "api:list_warnings": "tests.monitoring.test_api.test_api_list_is_scoped",
    "api:get_warning": "tests.monitoring.test_api.test_api_detail_of_another_enterprise_is_404",
    "api:warning_counts": "tests.monitoring.test_api.test_api_counts_are_the_callers",
    "api:epcis_capture": (
        "tests.trace.test_capture.test_zone_staff_and_project_managers_cannot_capture"
    ),
    "api:epcis_capture_job": TRACE_READ,
    "api:epcis_event": TRACE_READ,
    "api:epcis_events": TRACE_QUERY_OTHER_FIRM,
    "api:epcis_epc_events": TRACE_QUERY_OTHER_FIRM,
    "api:epcis_biz_steps": TRACE_QUERY_OTHER_FIRM,
    "api:epcis_biz_locations": TRACE_QUERY_ROLES,
    "api:epcis_trace_backward": (
        "tests.trace.test_genealogy.test_the_receiving_enterprise_sees_only_its_own_events"
    ),
    "trace:genealogy": "tests.trace.test_views.test_the_page_shows_nothing_of_another_enterprise",
    "trace:recall_notices": (
        "tests.trace.test_recall_notices.test_no_one_else_sees_a_notice_nor_the_suppliers_name"
    ),
    "trace:suggest": (
        "tests.trace.test_finder.test_suggestions_come_from_the_callers_own_data_only"
    ),
    "api:epcis_trace_forward": (
        "tests.trace.test_genealogy"
        ".test_the_analyst_sees_the_whole_zone_and_another_zone_sees_nothing"
    ),
    **dict.fromkeys(
        [
            "api:epcis_read_points",
            "api:epcis_read_points_events",
            "api:epcis_dispositions",
            "api:epcis_dispositions_events",
            "api:epcis_biz_steps_events",
            "api:epcis_biz_locations_events",
            "api:epcis_event_types",
            "api:epcis_event_type_events",
            "api:epcis_epcs",
        ],
        TRACE_COLLECTIONS,
    ),
    **dict.fromkeys(
        ["api:epcis_queries", "api:epcis_query_list", "api:epcis_query", "api:epcis_query_events"],
        "tests.trace.test_named_queries"
        ".test_another_enterprise_neither_sees_nor_runs_nor_removes_the_query",
    ),
    "api:epcis_locations": "tests.trace.test_query_attributes.test_locations_tenancy",
    "api:epcis_location": (
        "tests.trace.test_query_attributes.test_removing_a_location_lifts_its_children_to_the_top"
    ),
    "api:epcis_recall_scope": "tests.trace.test_recall.test_the_scope_route_answers_with_tenancy",
    **dict.fromkeys(
        [
            "api:epcis_recalls",
            "api:epcis_recall_create",
            "api:epcis_recall",
            "api:epcis_recall_execute",
            "api:epcis_recall_report",
        ],
        "tests.trace.test_recall.test_recall_routes_create_execute_and_report_for_the_owner_only",
    ),
    **dict.fromkeys(
        ["trace:recall", "trace:recall_detail", "trace:recall_report", "trace:recall_scope_report"],
        "tests.trace.test_recall.test_the_pages_keep_each_enterprise_to_its_own",
    ),
    **dict.fromkeys(
        [
            "api:mes_orders",
            "api:mes_order",
            "api:mes_put_order",
            "api:mes_put_operation",
            "api:mes_order_events",
        ],
        "tests.mes.test_api.test_another_enterprise_can_neither_read_nor_write_the_order",
    ),
    **dict.fromkeys(
        ["mes:orders", "mes:order"],
        "tests.mes.test_views.test_another_enterprise_sees_no_order_and_its_page_is_404",
    ),
}


def _route_names(resolver=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _route_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_route_has_a_cross_tenant_test():
    # Everything but Django's own admin and the pages anyone may open.
    public = {"login", "logout", "set_language", "api:api-root", "api:openapi-json"}
    public.add("api:openapi-view")  # the API description
    ours = {name for name in _route_names() if not name.startswith("admin:")} - public
    assert ours - set(COVERED) == set(), "add a cross-tenant test and list it in COVERED"
    for test_name in COVERED.values():
        module, _dot, function = test_name.rpartition(".")
        namespace = vars(importlib.import_module(module)) if module else globals()
        assert function in namespace, test_name


# -- scope -----------------------------------------------------------------------------------


def test_zone_staff_see_their_whole_zone(demo, other_zone):
    for username in ("admin", "analyst"):
        visible = tenancy.visible_enterprises(demo.user(username))
        assert visible.count() == Enterprise.objects.filter(zone=demo.zone).count()
        assert not visible.filter(pk=other_zone["firm"].pk).exists()


def test_project_managers_see_only_assigned_enterprises(demo):
    pm, pm2 = demo.user("pm"), demo.user("pm2")
    assigned = set(pm.assignments.values_list("enterprise_id", flat=True))
    assert set(tenancy.visible_enterprises(pm).values_list("id", flat=True)) == assigned
    assert demo.firms["gear"].pk in assigned
    assert not tenancy.visible_enterprises(pm2).filter(pk=demo.firms["gear"].pk).exists()


def test_enterprise_users_see_only_their_enterprise(demo):
    assert list(tenancy.visible_enterprises(demo.user("gear"))) == [demo.firms["gear"]]


def test_tokens_see_only_their_enterprise_and_revoked_tokens_nothing(demo):
    token, _raw = services.issue_api_token(demo.firms["ev"], "gateway")
    assert list(tenancy.visible_enterprises(token)) == [demo.firms["ev"]]
    services.revoke_api_token(token)
    assert list(tenancy.visible_enterprises(token)) == []


def test_anonymous_and_inactive_users_see_nothing(demo):
    assert tenancy.visible_enterprises(AnonymousUser()).count() == 0
    user = demo.user("analyst")
    user.is_active = False
    assert tenancy.visible_enterprises(user).count() == 0


def test_users_without_a_role_see_nothing(demo, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="pw-nobody-1")
    assert tenancy.visible_enterprises(nobody).count() == 0


def test_restrict_follows_a_path_to_the_enterprise(demo):
    from parkbrain.registry.models import AboveScaleYear

    rows = tenancy.restrict(AboveScaleYear.objects.all(), demo.user("gear"), via="enterprise")
    assert rows.count() > 0
    assert set(rows.values_list("enterprise_id", flat=True)) == {demo.firms["gear"].pk}


# -- pages -----------------------------------------------------------------------------------


def test_pages_need_a_log_in(client, demo):
    for url in (
        reverse("home"),
        reverse("registry:enterprises"),
        reverse("registry:enterprise", args=[demo.firms["gear"].pk]),
        reverse("registry:zone"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_enterprise_home_is_its_own_to_do(client, demo_with_reports):
    from parkbrain.reporting.services import return_report

    zone = demo_with_reports
    cobalt = MonthlyReport.objects.get(enterprise=zone.firms["cobalt"], year=2026, month=10)
    return_report(cobalt, zone.user("analyst"), "出口交货值漏填")
    client.force_login(zone.user("cobalt"))
    body = client.get(reverse("home")).content.decode()
    assert "2026年10月月报被退回" in body and "出口交货值漏填" in body
    # The demo leaves ev's latest month unreported: its clerk sees that, and nothing of
    # cobalt's, nor any other firm's name.
    client.force_login(zone.user("ev"))
    body = client.get(reverse("home")).content.decode()
    assert "2026年10月月报待报送" in body
    assert "出口交货值漏填" not in body
    others = Enterprise.objects.exclude(pk=zone.firms["ev"].pk)
    assert not [name for name in others.values_list("name", flat=True) if name in body]


def test_detail_of_another_enterprise_is_404(client, demo, other_zone):
    gear, ev = demo.firms["gear"], demo.firms["ev"]
    cases = [
        ("gear", gear, 200),
        ("gear", ev, 404),
        ("pm", gear, 200),
        ("pm2", gear, 404),
        ("analyst", ev, 200),
    ]
    for username, firm, status in cases:
        client.force_login(demo.user(username))
        response = client.get(reverse("registry:enterprise", args=[firm.pk]))
        assert response.status_code == status, (username, firm.name)
        if status == 404:
            assert firm.name not in response.content.decode()
    client.force_login(other_zone["admin"])
    assert client.get(reverse("registry:enterprise", args=[gear.pk])).status_code == 404
    client.force_login(demo.user("admin"))
    assert (
        client.get(reverse("registry:enterprise", args=[other_zone["firm"].pk])).status_code == 404
    )


def test_list_shows_only_visible_enterprises(client, demo):
    client.force_login(demo.user("gear"))
    response = client.get(reverse("registry:enterprises"))
    assert [e.pk for e in response.context["rows"]] == [demo.firms["gear"].pk]
    client.force_login(demo.user("pm2"))
    response = client.get(reverse("registry:enterprises"), {"q": demo.firms["gear"].name})
    assert response.context["page"].paginator.count == 0


def test_cannot_create_a_token_for_another_enterprise(client, demo):
    client.force_login(demo.user("gear"))
    url = reverse("registry:token-create", args=[demo.firms["ev"].pk])
    assert client.post(url, {"name": "x"}).status_code == 404
    assert not demo.firms["ev"].api_tokens.exists()
    # A project manager may see the firm but not hand out its machine keys.
    client.force_login(demo.user("pm"))
    assert client.post(url, {"name": "x"}).status_code == 403
    assert not demo.firms["ev"].api_tokens.filter(name="x").exists()


def test_cannot_revoke_another_enterprises_token(client, demo):
    token, _raw = services.issue_api_token(demo.firms["ev"], "gateway")
    client.force_login(demo.user("gear"))
    for firm in (demo.firms["ev"], demo.firms["gear"]):
        url = reverse("registry:token-revoke", args=[firm.pk, token.pk])
        assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_zone_page_counts_only_visible_enterprises(client, demo):
    client.force_login(demo.user("gear"))
    response = client.get(reverse("registry:zone"))
    parks = response.context["parks"]
    assert sum(p.enterprise_count for p in parks) == 1
    client.force_login(demo.user("analyst"))
    response = client.get(reverse("registry:zone"))
    total = sum(p.enterprise_count for p in response.context["parks"])
    assert total == Enterprise.objects.filter(zone=demo.zone, park__isnull=False).count()


# -- API -------------------------------------------------------------------------------------


def _bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_needs_credentials(client, demo):
    assert client.get("/api/enterprises").status_code == 401
    assert client.get("/api/enterprises", **_bearer("pbk_nope_nope")).status_code == 401


def test_api_me_tells_the_scope(client, demo):
    _token, raw = services.issue_api_token(demo.firms["gear"], "mes")
    body = client.get("/api/me", **_bearer(raw)).json()
    assert body == {
        "kind": "token",
        "role": "enterprise",
        "zone": demo.zone.name,
        "enterprise_ids": [demo.firms["gear"].pk],
    }
    client.force_login(demo.user("analyst"))
    assert client.get("/api/me").json()["enterprise_ids"] is None


def test_api_list_is_scoped(client, demo):
    _token, raw = services.issue_api_token(demo.firms["gear"], "mes")
    body = client.get("/api/enterprises", **_bearer(raw)).json()
    assert body["count"] == 1
    assert [item["id"] for item in body["items"]] == [demo.firms["gear"].pk]
    client.force_login(demo.user("pm"))
    body = client.get("/api/enterprises?page=1").json()
    assert body["count"] == demo.user("pm").assignments.count()


def test_api_detail_of_another_enterprise_is_404(client, demo, other_zone):
    _token, raw = services.issue_api_token(demo.firms["gear"], "mes")
    assert client.get(f"/api/enterprises/{demo.firms['ev'].pk}", **_bearer(raw)).status_code == 404
    assert (
        client.get(f"/api/enterprises/{demo.firms['gear'].pk}", **_bearer(raw)).status_code == 200
    )
    client.force_login(demo.user("admin"))
    assert client.get(f"/api/enterprises/{other_zone['firm'].pk}").status_code == 404


def test_api_parks_are_the_callers_zone(client, demo, other_zone):
    _token, raw = services.issue_api_token(other_zone["firm"], "mes")
    names = [p["name"] for p in client.get("/api/parks", **_bearer(raw)).json()]
    assert names == ["测试园"]


def test_api_park_of_another_zone_is_404(client, demo, other_zone):
    _token, raw = services.issue_api_token(other_zone["firm"], "mes")
    demo_park = Park.objects.filter(zone=demo.zone).first()
    assert client.get(f"/api/parks/{demo_park.pk}", **_bearer(raw)).status_code == 404
    assert client.get(f"/api/parks/{other_zone['park'].pk}", **_bearer(raw)).status_code == 200


def test_api_industries_are_the_callers_zone(client, demo, other_zone):
    _token, raw = services.issue_api_token(other_zone["firm"], "mes")
    assert [i["slug"] for i in client.get("/api/industries", **_bearer(raw)).json()] == ["textiles"]
    client.force_login(demo.user("gear"))
    slugs = [i["slug"] for i in client.get("/api/industries").json()]
    assert slugs == ["equipment", "materials", "digital", "services"]


# -- admin -----------------------------------------------------------------------------------


def test_admin_lists_only_the_administrators_zone(client, demo, other_zone):
    client.force_login(other_zone["admin"])
    response = client.get(reverse("admin:registry_enterprise_changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    url = reverse("admin:registry_enterprise_change", args=[demo.firms["gear"].pk])
    response = client.get(url)
    assert response.status_code == 302  # Django admin redirects to the index for unknown ids
    assert demo.firms["gear"].name not in client.get(url, follow=True).content.decode()


def test_enterprise_users_cannot_open_admin(client, demo):
    client.force_login(demo.user("gear"))
    response = client.get(reverse("admin:registry_enterprise_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_superuser_without_membership_works_in_one_zone(
    client, demo, other_zone, django_user_model
):
    root = django_user_model.objects.create_superuser("root", password="root-pass-123")
    visible = tenancy.visible_enterprises(root)
    assert visible.count() == Enterprise.objects.filter(zone=demo.zone).count()
    assert not visible.filter(pk=other_zone["firm"].pk).exists()
    client.force_login(root)
    context = client.get(reverse("home")).context
    assert (
        context["market_entities"]
        == demo.zone.enterprises.filter(status__in=["operating", "suspended"]).count()
    )


def test_tokens_of_firms_no_longer_in_business_stop_working(client, demo):
    gear = demo.firms["gear"]
    _token, raw = services.issue_api_token(gear, "mes")
    assert client.get("/api/me", **_bearer(raw)).status_code == 200
    Enterprise.objects.filter(pk=gear.pk).update(status="moved_out")
    assert client.get("/api/me", **_bearer(raw)).status_code == 401


@pytest.mark.clock
def test_assignments_count_only_between_since_and_until(demo):
    from datetime import timedelta

    from django.utils import timezone

    from parkbrain.registry.models import Assignment

    pm = demo.user("pm")
    gear = demo.firms["gear"]
    today = timezone.localdate()
    assignment = Assignment.objects.get(manager=pm, enterprise=gear)

    def sees_gear() -> bool:
        pm.__dict__.pop("_parkbrain_scope", None)
        return tenancy.visible_enterprises(pm).filter(pk=gear.pk).exists()

    assert sees_gear()
    Assignment.objects.filter(pk=assignment.pk).update(since=today + timedelta(days=1))
    assert not sees_gear()
    Assignment.objects.filter(pk=assignment.pk).update(
        since=today - timedelta(days=30), until=today - timedelta(days=1)
    )
    assert not sees_gear()
    Assignment.objects.filter(pk=assignment.pk).update(until=today)
    assert sees_gear()


def test_both_project_managers_have_firms_in_the_test_zone(demo):
    assert demo.user("pm").assignments.count() > 4
    assert demo.user("pm2").assignments.count() > 0
    assert not set(demo.user("pm").assignments.values_list("enterprise", flat=True)) & set(
        demo.user("pm2").assignments.values_list("enterprise", flat=True)
    )
