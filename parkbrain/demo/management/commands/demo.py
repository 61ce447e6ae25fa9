import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parkbrain.demo.builders import FIRST_ABOVE_SCALE_YEAR, build_demo, iter_logins
from parkbrain.registry.compute import market_entity_count
from parkbrain.registry.models import Enterprise, Zone
from parkbrain.trace.gearplant import YEAR_LINES


class Command(BaseCommand):
    help = "Build the demo zone (fictional data calibrated to the seed article's figures)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2024, help="random seed (default 2024)")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="enterprise count factor (default 1.0)"
        )
        parser.add_argument(
            "--as-of", type=date.fromisoformat, default=None, help="build as at this date"
        )
        parser.add_argument(
            "--trace-days",
            type=int,
            default=365,
            help="days of the gear maker's EPCIS genealogy up to the date (default 365; 0: none)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already holds a zone",
        )

    def handle(
        self,
        *args,
        seed: int,
        scale: float,
        as_of: date | None,
        trace_days: int,
        if_empty: bool,
        **_,
    ):
        if Zone.objects.exists() or Enterprise.objects.exists():
            if if_empty:
                self.stdout.write("The database already holds a zone; the demo was not loaded.")
                return
            raise CommandError(
                "The database already holds a zone. The demo zone is built into an empty "
                "database: point PARKBRAIN_DATABASE_URL at a new one, or remove "
                "var/parkbrain.sqlite3."
            )
        if not 0 < scale <= 10:
            raise CommandError("--scale must be above 0 and at most 10.")
        if as_of is not None and as_of.year < FIRST_ABOVE_SCALE_YEAR:
            raise CommandError(f"--as-of must be in {FIRST_ABOVE_SCALE_YEAR} or later.")
        if not 0 <= trace_days <= 3660:
            raise CommandError("--trace-days must be from 0 to 3660.")
        started = time.perf_counter()
        # The plant's lines scale with the zone, so a small test zone gets a small plant.
        lines = max(1, round(YEAR_LINES * scale))
        result = build_demo(
            seed=seed, scale=scale, as_of=as_of, trace_days=trace_days, trace_lines=lines
        )
        seconds = time.perf_counter() - started
        in_business = market_entity_count(Enterprise.objects.filter(zone=result.zone))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo zone “{result.zone.name}” built in {seconds:.1f} s (seed {seed}): "
                f"{in_business:,} market entities in business, "
                f"{result.enterprise_count:,} registered in all, "
                f"{result.report_count:,} monthly reports, "
                f"{result.event_count:,} EPCIS events."
            )
        )
        self.stdout.write("Log-ins (all data is fictional):")
        for line in iter_logins(result):
            self.stdout.write(line)
        self.stdout.write(
            f"API token for {result.token_enterprise} (shown once):\n  {result.token}"
        )
