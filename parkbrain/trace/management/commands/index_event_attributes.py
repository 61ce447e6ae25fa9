from django.core.management.base import BaseCommand

from parkbrain.trace.attributes import rebuild


class Command(BaseCommand):
    help = (
        "Write the event attribute table (transactions, sources, sensor data, extension "
        "fields) again from the stored EPCIS events, e.g. for events captured before it "
        "existed (safe to repeat)."
    )

    def handle(self, *args, **options) -> None:
        written = rebuild()
        self.stdout.write(f"{written} event attributes written")
