"""The zone administrator gives a new enterprise clerk a log-in; the clerk chooses a password
at first log-in and lands on the firm's to-do."""

import pytest
from playwright.sync_api import expect

from tests.conftest import _build, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLERK_PASSWORD = "Qz7-tongxiang-gear-clerk"


@pytest.fixture
def zone(live_server):
    ensure_reference_data()
    return _build()


def test_admin_gives_a_new_clerk_a_log_in(page, live_server, zone, login, shot, console_errors):
    gear = zone.firms["gear"]
    login("admin")
    page.get_by_test_id("nav-users").click()
    expect(page.locator("h1")).to_have_text("用户管理")
    expect(page.get_by_test_id("account-table")).to_contain_text("嘉兴精环传动科技有限公司")
    shot("accounts-list")
    page.get_by_test_id("account-new").click()
    page.fill("#id_family_name", "王")
    page.fill("#id_given_name", "芳")
    page.fill("#id_username", "wangfang")
    page.select_option("#id_role", label="企业用户")
    # The administrator types part of the name; the zone's enterprises are offered.
    page.locator("#id_enterprise").press_sequentially("精环", delay=30)
    option = page.locator("#enterprise-options option").first
    expect(option).to_have_attribute("value", f"{gear.name}（{gear.credit_code}）")
    page.fill("#id_enterprise", option.get_attribute("value"))
    shot("accounts-new")
    page.get_by_role("button", name="创建账号").click()
    expect(page.locator("h1")).to_have_text("账号已创建")
    password = page.get_by_test_id("temporary-password").inner_text()
    expect(page.locator("main")).to_contain_text("临时密码只显示这一次")
    shot("accounts-password")
    page.get_by_role("link", name="完成").click()
    expect(page.get_by_test_id("account-history")).to_contain_text("账号已创建")
    page.get_by_role("button", name="退出").click()

    login("wangfang", password)
    expect(page.locator("h1")).to_have_text("修改密码")
    expect(page.locator("main")).to_contain_text("您使用的是临时密码")
    shot("accounts-first-log-in")
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", CLERK_PASSWORD)
    page.fill("#id_new_password2", CLERK_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator("h1")).to_have_text("待办事项")
    expect(page.locator(".messages")).to_contain_text("密码已修改")
    expect(page.get_by_test_id("username")).to_have_text("王芳")
    assert console_errors == []
