from django.core.management.base import BaseCommand

from parkbrain.trace.services import rebuild_genealogy_edges


class Command(BaseCommand):
    help = "Write the genealogy edge table again from the stored EPCIS events (safe to repeat)."

    def handle(self, *args, **options) -> None:
        written = rebuild_genealogy_edges()
        self.stdout.write(f"{written} genealogy edges written")
