"""Session settings for short lookups: set inside, gone after, nested uses add nothing."""

import pytest
from django.db import connection

from parkbrain.core.db import lookup_plans

pytestmark = pytest.mark.django_db(transaction=True)


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings")
def test_lookups_run_without_parallel_workers_or_jit_and_only_inside():
    before = (_setting("max_parallel_workers_per_gather"), _setting("jit"))
    with lookup_plans():
        assert (_setting("max_parallel_workers_per_gather"), _setting("jit")) == ("0", "off")
        with lookup_plans():
            assert _setting("jit") == "off"
        assert _setting("jit") == "off"
    assert (_setting("max_parallel_workers_per_gather"), _setting("jit")) == before


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the no-op elsewhere")
def test_elsewhere_nothing_is_sent(django_assert_num_queries):
    with django_assert_num_queries(0), lookup_plans():
        pass


@pytest.mark.django_db
def test_any_of_matches_like_in_with_one_parameter(demo):
    from parkbrain.registry.models import Enterprise

    names = list(Enterprise.objects.order_by("id").values_list("name", flat=True)[:3])
    odd = ['it\'s, "quoted" {a,b}', "带,逗号"]
    found = Enterprise.objects.filter(name__any_of=names + odd)
    assert sorted(found.values_list("name", flat=True)) == sorted(names)
    _sql, params = found.query.sql_with_params()
    assert len(params) == 1
    assert not Enterprise.objects.filter(name__any_of=[]).exists()
    Enterprise.objects.filter(pk=Enterprise.objects.order_by("id")[0].pk).update(name=odd[0])
    assert Enterprise.objects.filter(name__any_of=odd).count() == 1
