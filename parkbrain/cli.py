"""The `parkbrain` command: Django's management commands with ParkBrain's settings.

`parkbrain demo`, `parkbrain migrate`, `parkbrain runserver` and the rest.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parkbrain.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
