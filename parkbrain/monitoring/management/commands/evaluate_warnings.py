from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from parkbrain.monitoring.services import evaluate_month, install_default_rules
from parkbrain.registry.models import Zone
from parkbrain.reporting.periods import last_complete_month


def _month(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise CommandError(f"--month: {text!r} is not a month like 2026-10") from exc


class Command(BaseCommand):
    help = (
        "Evaluate the early-warning rules for one month (default: the last complete month) "
        "in every zone or one. Running it again for the same month changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", type=str, default=None, help="YYYY-MM")
        parser.add_argument("--zone", type=int, default=None, help="zone id (default: all)")

    def handle(self, *args, month: str | None, zone: int | None, **_) -> None:
        if month is None:
            year, number = last_complete_month(timezone.localdate())
        else:
            period = _month(month)
            year, number = period.year, period.month
        zones = Zone.objects.order_by("id")
        if zone is not None:
            zones = zones.filter(pk=zone)
            if not zones.exists():
                raise CommandError(f"--zone: there is no zone with id {zone}")
        for each in zones:
            added = install_default_rules(each) if not each.warning_rules.exists() else 0
            if added:
                self.stdout.write(f"{each.name}: installed {added} default rules.")
            result = evaluate_month(each, year, number)
            self.stdout.write(
                f"{each.name} {year}-{number:02d}: {result.rules} rules, "
                f"{result.enterprises} enterprises; {result.raised} raised, "
                f"{result.updated} updated, {result.cleared} cleared."
            )
