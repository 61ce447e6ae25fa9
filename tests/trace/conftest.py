"""Fixtures of the trace tests: machine tokens of the demo's gear maker and EV maker."""

import pytest

from parkbrain.registry import services as registry_services


@pytest.fixture
def gear_token(demo):
    _token, raw = registry_services.issue_api_token(demo.firms["gear"], "mes")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def ev_token(demo):
    _token, raw = registry_services.issue_api_token(demo.firms["ev"], "mes")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
