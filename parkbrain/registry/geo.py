"""GeoJSON outlines of parks: validation, area and label points (WGS 84 lon/lat degrees)."""

import functools
import itertools
import json
import math
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

EARTH_RADIUS_M = 6_378_137.0  # WGS 84 semi-major axis, as web maps use

Ring = list[list[float]]


def _polygons(geometry: dict[str, Any]) -> list[list[Ring]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def _is_position(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) >= 2
        and all(isinstance(x, int | float) and not isinstance(x, bool) for x in value)
    )


def geometry_errors(geometry: Any) -> list[str]:
    """What is wrong with a Polygon or MultiPolygon geometry; empty when it is usable."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return [_("The outline must be a GeoJSON Polygon or MultiPolygon geometry.")]
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or not coordinates:
        return [_("The outline has no coordinates.")]
    polygons = _polygons(geometry)
    if not all(isinstance(polygon, list) and polygon for polygon in polygons):
        return [_("Every polygon needs an outer ring.")]
    errors: list[str] = []
    for polygon in polygons:
        for ring in polygon:
            if not isinstance(ring, list) or not all(_is_position(p) for p in ring):
                return [_("The coordinates are not nested lists of numbers.")]
            if len(ring) < 4:
                errors.append(_("A ring needs at least four positions."))
            elif ring[0] != ring[-1]:
                errors.append(_("A ring must end where it starts."))
            for lon, lat, *_rest in ring:
                if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                    errors.append(
                        _("Position %(lon)s, %(lat)s is not a longitude and latitude.")
                        % {"lon": lon, "lat": lat}
                    )
                    break
    return errors


def bounds(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """West, south, east and north edges of the outline."""
    positions = [p for polygon in _polygons(geometry) for p in polygon[0]]
    lons = [p[0] for p in positions]
    lats = [p[1] for p in positions]
    return min(lons), min(lats), max(lons), max(lats)


def _ring_area_m2(ring: Ring) -> float:
    """Area on the sphere of a closed lon/lat ring (Chamberlain & Duquette, 2007)."""
    total = 0.0
    for (lon1, lat1, *_a), (lon2, lat2, *_b) in itertools.pairwise(ring):
        total += math.radians(lon2 - lon1) * (
            2 + math.sin(math.radians(lat1)) + math.sin(math.radians(lat2))
        )
    return abs(total) * EARTH_RADIUS_M**2 / 2


def area_km2(geometry: dict[str, Any]) -> float:
    """Area enclosed by the outline, holes subtracted."""
    total = 0.0
    for exterior, *holes in _polygons(geometry):
        total += _ring_area_m2(exterior) - sum(_ring_area_m2(hole) for hole in holes)
    return total / 1_000_000


def label_point(geometry: dict[str, Any]) -> tuple[float, float]:
    """The mean vertex of the largest exterior ring: good enough to place a label."""
    exterior = max((polygon[0] for polygon in _polygons(geometry)), key=_ring_area_m2)
    vertices = exterior[:-1]
    return (
        sum(point[0] for point in vertices) / len(vertices),
        sum(point[1] for point in vertices) / len(vertices),
    )


def _inside_ring(lon: float, lat: float, ring: Ring) -> bool:
    """Ray casting: does a horizontal ray from the point cross the ring an odd number of times."""
    inside = False
    for (x1, y1, *_a), (x2, y2, *_b) in itertools.pairwise(ring):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _inside(lon: float, lat: float, geometry: dict[str, Any]) -> bool:
    return any(
        _inside_ring(lon, lat, polygon[0])
        and not any(_inside_ring(lon, lat, hole) for hole in polygon[1:])
        for polygon in _polygons(geometry)
    )


def contains(outer: dict[str, Any], inner: dict[str, Any]) -> bool:
    """Whether every vertex of `inner` lies inside `outer` (good enough for park outlines)."""
    return all(
        _inside(lon, lat, outer)
        for inner_polygon in _polygons(inner)
        for lon, lat, *_rest in inner_polygon[0]
    )


# A label is some three times wider than it is tall, so it needs that much more room sideways.
LABEL_ASPECT = 3.0
LABEL_GRID = 24


def _clearance(lon: float, lat: float, segments: list, squeeze: float) -> float:
    """Distance to the nearest segment, horizontal distances shrunk by the label's aspect."""
    nearest = math.inf
    for (x1, y1), (x2, y2) in segments:
        ax, ay = (x1 - lon) * squeeze, y1 - lat
        bx, by = (x2 - lon) * squeeze, y2 - lat
        dx, dy = bx - ax, by - ay
        length = dx * dx + dy * dy
        t = 0.0 if length == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length))
        nearest = min(nearest, math.hypot(ax + t * dx, ay + t * dy))
    return nearest


def clear_label_point(
    geometry: dict[str, Any], avoid: Sequence[dict[str, Any]] = ()
) -> tuple[float, float]:
    """Where a name fits best inside the outline and outside the outlines to avoid (the
    centres drawn on top of a park): the grid point farthest from every edge, counting a
    wide label's need for room sideways. Outlines rarely change and the search takes tens of
    milliseconds, so each worker keeps its answers by the outlines' content."""
    return _clear_label_point(json.dumps([geometry, list(avoid)], sort_keys=True))


@functools.lru_cache(maxsize=256)
def _clear_label_point(outlines: str) -> tuple[float, float]:
    geometry, avoid = json.loads(outlines)
    west, south, east, north = bounds(geometry)
    squeeze = math.cos(math.radians((south + north) / 2)) / LABEL_ASPECT
    segments = [
        ((x1, y1), (x2, y2))
        for shape in (geometry, *avoid)
        for polygon in _polygons(shape)
        for ring in polygon
        for (x1, y1, *_a), (x2, y2, *_b) in itertools.pairwise(ring)
    ]
    best, best_clearance = label_point(geometry), -1.0
    for i, j in itertools.product(range(LABEL_GRID), repeat=2):
        lon = west + (i + 0.5) * (east - west) / LABEL_GRID
        lat = south + (j + 0.5) * (north - south) / LABEL_GRID
        if not _inside(lon, lat, geometry) or any(_inside(lon, lat, a) for a in avoid):
            continue
        clearance = _clearance(lon, lat, segments, squeeze)
        if clearance > best_clearance:
            best, best_clearance = (lon, lat), clearance
    return best
