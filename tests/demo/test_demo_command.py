"""The demo command and the builder's determinism, each on an empty database."""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from parkbrain.demo.builders import build_demo
from parkbrain.registry.models import AboveScaleYear, Enterprise
from tests.conftest import AS_OF

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, list]:
    from parkbrain.registry.models import Assignment, Park

    return {
        "firms": list(
            Enterprise.objects.order_by("credit_code").values_list(
                "credit_code",
                "name",
                "legal_representative",
                "founded_on",
                "settled_on",
                "registered_capital_yuan",
                "land_area_mu",
                "ownership",
                "status",
                "address",
                "park__name",
                "industry_code__code",
                "industry__slug",
            )
        ),
        "tags": sorted(
            Enterprise.tags.through.objects.values_list("enterprise__credit_code", "tag__slug")
        ),
        "years": sorted(AboveScaleYear.objects.values_list("enterprise__credit_code", "year")),
        "parks": list(
            Park.objects.order_by("name").values_list("name", "area_mu", "population", "outline")
        ),
        "assignments": sorted(
            Assignment.objects.values_list("manager__username", "enterprise__credit_code", "since")
        ),
    }


def test_same_seed_same_zone(db):
    with transaction.atomic():
        build_demo(seed=11, scale=0.02, as_of=AS_OF)
        first = _snapshot()
        transaction.set_rollback(True)
    assert not Enterprise.objects.exists()
    build_demo(seed=11, scale=0.02, as_of=AS_OF)
    second = _snapshot()
    for part, rows in first.items():
        assert second[part] == rows, part
    assert len(first["firms"]) > 200 and first["tags"] and first["assignments"]


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


def test_demo_refuses_dates_before_its_first_year(db):
    with pytest.raises(CommandError):
        call_command("demo", "--as-of", "2020-06-30")
    assert not Enterprise.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("as_of", "evaluated"), [(date(2027, 1, 6), 2025), (date(2027, 2, 1), 2026)]
)
def test_the_demo_evaluates_the_last_year_whose_reports_are_all_reviewed(as_of, evaluated):
    from parkbrain.evaluation.models import EvaluationRun

    result = build_demo(seed=11, scale=0.02, as_of=as_of)
    assert result.evaluation_year == evaluated
    assert EvaluationRun.objects.get(year=evaluated).held_out == []
