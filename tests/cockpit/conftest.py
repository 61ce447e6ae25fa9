"""The cockpit's hand-built quarter: three firms' figures, small enough to add up by hand."""

import pytest

from parkbrain.reporting import services
from parkbrain.reporting.choices import Channel
from parkbrain.reporting.models import MonthlyReport
from parkbrain.reporting.validation import IncomingRow

# output value and taxes, year to date (yuan), as in tests/cockpit/test_compute.py
REPORTED = {
    "gear": {
        (2026, 1): (90, 9),
        (2026, 2): (200, 20),
        (2026, 3): (330, 33),
        (2025, 1): (80, 8),
        (2025, 2): (180, 18),
        (2025, 3): (300, 30),
    },
    "cobalt": {(2026, 2): (100, 5), (2026, 3): (160, 8)},
    "ev": {(2026, 2): (50, 1), (2025, 2): (40, 1), (2025, 3): (70, 2)},
}


@pytest.fixture
def quarter(demo):
    rows = [
        IncomingRow(
            demo.firms[key].credit_code,
            year,
            month,
            {"output_value": output, "taxes": taxes, "electricity": output * 1000},
        )
        for key, months in REPORTED.items()
        for (year, month), (output, taxes) in months.items()
    ]
    saved = services.save_reports(rows, demo.user("analyst"), Channel.FORM, submit=True)
    for report in MonthlyReport.objects.filter(pk__in=saved.report_ids):
        services.accept_report(report, demo.user("analyst"))
    return demo
