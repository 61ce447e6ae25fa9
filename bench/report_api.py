"""10,000 monthly reports sent through the API, one PUT each, by each firm's own token.

Prints reports per second, against the same number of authenticated GET /api/me calls (the
floor: routing, token check and JSON, without validation or writing) in the same run."""

import json
import time
from datetime import date

from common import django_with_scratch_database

django_with_scratch_database()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from parkbrain.demo.builders import build_demo  # noqa: E402
from parkbrain.registry import services as registry_services  # noqa: E402
from parkbrain.registry.models import Enterprise  # noqa: E402
from parkbrain.reporting.models import MonthlyReport  # noqa: E402

REPORTS = 10_000


def main() -> None:
    build_demo(seed=2024, as_of=date(2026, 11, 26), reports=False)
    firms = list(Enterprise.objects.above_scale_in(2025).order_by("id"))
    tokens = {f.pk: registry_services.issue_api_token(f, "bench")[1] for f in firms}
    periods = [(y, m) for y in range(2021, 2026) for m in range(1, 13)]
    jobs = [(firm, y, m) for y, m in periods for firm in firms][:REPORTS]
    client = Client(HTTP_HOST="127.0.0.1")
    headers = {f.pk: {"HTTP_AUTHORIZATION": f"Bearer {tokens[f.pk]}"} for f in firms}

    started = time.perf_counter()
    for firm, _y, _m in jobs:
        assert client.get("/api/me", **headers[firm.pk]).status_code == 200
    floor = time.perf_counter() - started

    started = time.perf_counter()
    for firm, year, month in jobs:
        body = {
            "values": {
                "output_value": firm.pk * 1000 + month * 100_000,
                "electricity": month * 5_000,
                "taxes": month * 3_000,
                "employees": 120,
            },
            "submit": True,
        }
        response = client.put(
            f"/api/reports/{firm.credit_code}/{year}-{month:02d}",
            data=json.dumps(body),
            content_type="application/json",
            **headers[firm.pk],
        )
        assert response.status_code == 201, response.content
    full = time.perf_counter() - started
    assert MonthlyReport.objects.count() == len(jobs)
    print(f"database: {connection.vendor}; {len(jobs):,} reports from {len(firms)} firms")
    print(f"floor, GET /api/me with a token: {len(jobs) / floor:,.0f} requests/s")
    print(
        f"PUT /api/reports (validate, write, history, submit, warnings): "
        f"{len(jobs) / full:,.0f} reports/s"
    )
    print(f"ratio PUT / floor time: {full / floor:.1f}x")


if __name__ == "__main__":
    main()
