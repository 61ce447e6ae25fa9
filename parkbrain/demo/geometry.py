"""Plausible outlines for the demo parks: irregular closed polygons of a given area."""

import math
import random

from parkbrain.registry.geo import area_km2

METRES_PER_DEGREE_LAT = 111_320.0


def _to_lonlat(centre: tuple[float, float], east_m: float, north_m: float) -> list[float]:
    lon0, lat0 = centre
    lon = lon0 + east_m / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat0)))
    lat = lat0 + north_m / METRES_PER_DEGREE_LAT
    return [round(lon, 6), round(lat, 6)]


def offset(centre: tuple[float, float], east_m: float, north_m: float) -> tuple[float, float]:
    lon, lat = _to_lonlat(centre, east_m, north_m)
    return lon, lat


def blob(
    rng: random.Random, centre: tuple[float, float], target_km2: float, vertices: int = 16
) -> dict:
    """A GeoJSON Polygon around `centre` whose area is `target_km2` (within 0.1%)."""
    # Smooth random radii: a few low-frequency waves, so the shape looks like land, not a star.
    waves = [(k, rng.uniform(0.04, 0.16) / k, rng.uniform(0, 2 * math.pi)) for k in (2, 3, 5)]
    angles = [2 * math.pi * i / vertices + rng.uniform(-0.08, 0.08) for i in range(vertices)]
    shape = [1 + sum(a * math.cos(k * t + p) for k, a, p in waves) for t in angles]

    def polygon(radius_m: float) -> dict:
        ring = [
            _to_lonlat(centre, radius_m * r * math.cos(t), radius_m * r * math.sin(t))
            for r, t in zip(shape, angles, strict=True)
        ]
        return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}

    radius = math.sqrt(target_km2 * 1_000_000 / math.pi)
    for _ in range(3):  # area scales with radius squared; two corrections converge
        radius *= math.sqrt(target_km2 / area_km2(polygon(radius)))
    return polygon(radius)
