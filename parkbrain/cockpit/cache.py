"""The cockpit's figures and pages, made once per worker process until a write changes them.

`figures.build` reads every report value of the period and re-checks the zone's unreviewed
reports: 0.15 s of a core on the demo zone, for figures that change only when the data
behind them does. Every write that changes one gives the zone's figures a new version in its
own transaction (registry.services.figures_changed); a request reads the version once and
looks the figures up under it, so every process sees a change at once and nothing has to be
invalidated across processes. Keys also hold the day, the language and every filter; a
rendered page, its whole query string.

The "figures" cache is each process's own memory (settings.CACHES): nothing to run beside the
server, and a hit costs one unpickling. Entries under older versions are never read again;
they leave, least recently used first, once the cache holds its FIGURES_CACHE_ENTRIES.
Gunicorn's sync workers serve one request at a time, so no process computes the same figures
twice at once; after a change each worker computes them once for itself.
"""

import hashlib
from collections.abc import Callable
from datetime import date

from django.core.cache import caches
from django.utils.translation import get_language

from parkbrain.registry.models import Enterprise, Zone
from parkbrain.registry.services import figures_version

from . import figures


class ZoneFigures:
    """A zone's figures on one day, at the version read when this is made (once a request).
    Only for those who see the whole zone, for whom the figures are the same."""

    def __init__(self, zone: Zone, as_of: date) -> None:
        self.zone = zone
        self.as_of = as_of
        self.version = figures_version(zone)

    def _key(self, *parts: object) -> str:
        scope = (self.zone.pk, self.version, self.as_of.isoformat(), get_language())
        return ":".join(str(part) for part in ("cockpit", *scope, *parts))

    def board(self, filters: figures.Filters) -> figures.Dashboard:
        period = filters.period
        key = self._key(
            "board",
            period.kind,
            period.year,
            period.month,
            filters.park.pk if filters.park else "",
            filters.industry.pk if filters.industry else "",
            filters.convention,
            filters.basis,
        )
        cache = caches["figures"]
        board = cache.get(key)
        if board is None:
            zone_firms = Enterprise.objects.filter(zone=self.zone)
            board = figures.build(self.zone, zone_firms, filters, self.as_of)
            cache.set(key, board)
        return board

    def page(self, template: str, query: str, render: Callable[[], str]) -> str:
        """The page's HTML for this query string, rendered by `render` when not kept yet. The
        query decides the filters and the opening month; the version, the data behind them."""
        digest = hashlib.sha256(query.encode()).hexdigest()[:32]  # any length, a short key
        key = self._key("page", template, digest)
        cache = caches["figures"]
        html = cache.get(key)
        if html is None:
            html = render()
            cache.set(key, html)
        return html
