"""The demo command and the builder's determinism, each on an empty database."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from parkbrain.demo.builders import build_demo
from parkbrain.registry.models import AboveScaleYear, Enterprise
from tests.conftest import AS_OF

pytestmark = pytest.mark.django_db


def _snapshot() -> tuple[list, list]:
    firms = Enterprise.objects.order_by("credit_code").values_list(
        "credit_code", "name", "legal_representative", "land_area_mu", "park__name"
    )
    years = AboveScaleYear.objects.order_by("enterprise__credit_code", "year").values_list(
        "enterprise__credit_code", "year"
    )
    return list(firms), list(years)


def test_same_seed_same_zone(db):
    with transaction.atomic():
        build_demo(seed=11, scale=0.02, as_of=AS_OF)
        first = _snapshot()
        transaction.set_rollback(True)
    assert not Enterprise.objects.exists()
    build_demo(seed=11, scale=0.02, as_of=AS_OF)
    assert _snapshot() == first
    assert len(first[0]) > 200


def test_demo_command_prints_log_ins_and_refuses_to_build_twice(db, capsys):
    call_command("demo", "--scale", "0.02", "--as-of", "2026-11-26")
    out = capsys.readouterr().out
    for username in ("admin", "analyst", "pm", "gear", "glassfibre", "cobalt", "ev"):
        assert f"  {username} " in out
    assert "pbk_" in out
    with pytest.raises(CommandError):
        call_command("demo", "--scale", "0.02")
    call_command("demo", "--if-empty")
    assert "already holds a zone" in capsys.readouterr().out
