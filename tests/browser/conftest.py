"""Browser tests: Playwright drives Debian's Chromium against a live server."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

# A page that loads ECharts and draws on a machine running other suites can take longer than
# Playwright's 5 s default; a wait that succeeds returns at once, so a longer bound costs
# nothing when all is well.
expect.set_options(timeout=15_000)

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}


@pytest.fixture
def console_errors(page):
    """Errors the page logs or throws; a test asserts the list stays empty."""
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))

    def failed(request) -> None:
        # ERR_ABORTED is a load the page itself cut short: a download ending its navigation,
        # or a click leaving the page while its favicon was still on the way. Refused and
        # unreachable requests fail with other codes and are still caught.
        if request.failure == "net::ERR_ABORTED":
            return
        errors.append(f"failed: {request.url}")

    page.on("requestfailed", failed)
    return errors


@pytest.fixture
def offline(page, live_server):
    """Any request that leaves the live server fails the test: pages must work offline."""
    outside: list[str] = []

    def route(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    return outside


@pytest.fixture
def shot(page):
    """Save a full-page screenshot under test-artifacts/ to look at."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        # Noto Sans SC comes in unicode-range slices that load as text is laid out: lay the
        # page out, then wait for the slices it asked for, or new words show as empty boxes.
        page.evaluate(
            "async () => { document.body.getBoundingClientRect(); await document.fonts.ready; }"
        )
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(page, live_server, settings):
    # The server dates its cookies by the tests' pinned clock, the browser judges them by the
    # wall clock: cookies that last as long as the browser never look expired to it.
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    settings.CSRF_COOKIE_AGE = None

    def log_in(username: str, password: str = "parkbrain-demo") -> None:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")

    return log_in
