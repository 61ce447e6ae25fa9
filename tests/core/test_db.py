"""Session settings for short lookups (set inside, gone after, nested uses add nothing), the
any_of lookup, and PostgreSQL timestamps read with fromisoformat."""

from datetime import UTC, datetime

import pytest
from django.db import DataError, connection

from parkbrain.core.db import lookup_plans

pytestmark = pytest.mark.django_db(transaction=True)


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL settings")
def test_lookups_run_without_parallel_workers_jit_or_merge_joins_and_only_inside():
    names = ("max_parallel_workers_per_gather", "jit", "enable_mergejoin")
    before = tuple(map(_setting, names))
    with lookup_plans():
        assert tuple(map(_setting, names)) == ("0", "off", "off")
        with lookup_plans():
            assert _setting("jit") == "off"
        assert _setting("enable_mergejoin") == "off"
    assert tuple(map(_setting, names)) == before
    assert before[2] == "on"


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


TIMESTAMPS = [
    "2026-03-01 08:00:00+08",
    "2026-03-01 08:00:00.12+00",
    "2026-12-31 23:59:59.999999-03:30",
    "0001-01-01 00:00:00+00",
    "1999-06-30 12:00:00.5+05:45",
]


def _loaded(values: list[str], django_loader: bool) -> list:
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    with connection.cursor() as cursor:
        if django_loader:
            register_tzloader(connection.timezone, cursor.cursor)
        cursor.execute(
            "SELECT value::timestamptz FROM unnest(%s::text[]) WITH ORDINALITY t(value, n) "
            "ORDER BY n",
            [values],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's loaders")
def test_timestamps_load_as_django_loads_them_with_fromisoformat():
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
    from psycopg.pq import Format

    ours = _loaded(TIMESTAMPS, django_loader=False)
    loader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert loader.__name__ == "IsoTimestampLoader"
    assert ours == _loaded(TIMESTAMPS, django_loader=True)
    assert ours[0] == datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    assert ours[2] == datetime(2027, 1, 1, 3, 29, 59, 999999, tzinfo=UTC)
    assert all(value.tzinfo == connection.timezone for value in ours)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's loaders")
@pytest.mark.parametrize("django_loader", [False, True], ids=["ours", "django"])
def test_a_timestamp_python_cannot_hold_fails_the_same_way(django_loader):
    for value in ("infinity", "0044-03-15 12:00:00+00 BC"):
        with pytest.raises(DataError):
            _loaded([value], django_loader)
