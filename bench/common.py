"""Set-up shared by the benchmarks: a scratch database with the demo zone's registry."""

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def django_with_scratch_database() -> None:
    """Use PARKBRAIN_DATABASE_URL when set (an empty database), else a temporary SQLite file."""
    scratch = tempfile.mkdtemp(prefix="parkbrain-bench-")
    os.environ.setdefault("PARKBRAIN_DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parkbrain.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
