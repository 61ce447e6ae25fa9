import math

import pytest
from django.urls import reverse
from django.utils import translation

from parkbrain.registry import geo


def _square(lon: float, lat: float, side_deg: float) -> dict:
    ring = [
        [lon, lat],
        [lon + side_deg, lat],
        [lon + side_deg, lat + side_deg],
        [lon, lat + side_deg],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def test_area_of_a_small_square_matches_plane_geometry():
    # 0.01° × 0.01° at 30.6° N: 1113.2 m north-south × 1113.2·cos(30.6°) m east-west.
    square = _square(120.5, 30.6, 0.01)
    metres_per_degree = math.pi * geo.EARTH_RADIUS_M / 180
    expected = (0.01 * metres_per_degree) ** 2 * math.cos(math.radians(30.605)) / 1e6
    assert abs(geo.area_km2(square) - expected) / expected < 1e-3


def test_holes_are_subtracted():
    outer = _square(120, 30, 0.02)["coordinates"][0]
    hole = _square(120.005, 30.005, 0.01)["coordinates"][0]
    with_hole = {"type": "Polygon", "coordinates": [outer, hole]}
    assert abs(geo.area_km2(with_hole) - 0.75 * geo.area_km2(_square(120, 30, 0.02))) < 0.01


def test_multipolygon_area_is_the_sum():
    a, b = _square(120, 30, 0.01), _square(121, 30, 0.01)
    both = {"type": "MultiPolygon", "coordinates": [a["coordinates"], b["coordinates"]]}
    assert abs(geo.area_km2(both) - geo.area_km2(a) - geo.area_km2(b)) < 1e-9


def test_geometry_errors_name_the_problem():
    assert geo.geometry_errors(_square(120, 30, 0.01)) == []
    assert geo.geometry_errors({"type": "Point", "coordinates": [1, 2]})
    open_ring = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}
    wild = {"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}
    with translation.override("en"):
        assert any("end where it starts" in e for e in geo.geometry_errors(open_ring))
        assert any("200" in e for e in geo.geometry_errors(wild))
    assert geo.geometry_errors({"type": "Polygon", "coordinates": "x"})


def test_contains():
    big = _square(120, 30, 0.1)
    assert geo.contains(big, _square(120.01, 30.01, 0.01))
    assert not geo.contains(big, _square(120.095, 30.01, 0.01))


def test_label_point_is_inside_a_convex_outline():
    lon, lat = geo.label_point(_square(120, 30, 0.1))
    assert (round(lon, 6), round(lat, 6)) == (120.05, 30.05)


def test_malformed_geometry_is_refused_not_crashed():
    ring_as_dict = {"type": "Polygon", "coordinates": [{"a": 1}]}
    empty_multi = {"type": "MultiPolygon", "coordinates": [[]]}
    strings = {"type": "Polygon", "coordinates": [[["a", "b"], ["c", "d"], ["a", "b"], ["a", "b"]]]}
    for geometry in (ring_as_dict, empty_multi, strings):
        assert geo.geometry_errors(geometry), geometry


def test_bounds_cover_every_polygon():
    a, b = _square(120, 30, 0.01), _square(121, 31, 0.01)
    both = {"type": "MultiPolygon", "coordinates": [a["coordinates"], b["coordinates"]]}
    assert geo.bounds(both) == (120, 30, 121.01, 31.01)


def test_a_parks_label_keeps_clear_of_the_centre_drawn_on_top():
    park = _square(120, 30, 0.1)
    centre = _square(120.03, 30.03, 0.04)  # covers the park's middle, where the label was
    assert geo._inside(*geo.label_point(park), centre)
    lon, lat = geo.clear_label_point(park, [centre])
    assert geo._inside(lon, lat, park) and not geo._inside(lon, lat, centre)
    # A wide label is placed above or below the centre rather than squeezed beside it.
    assert not 30.03 <= lat <= 30.07


@pytest.mark.django_db
def test_the_demo_parks_labels_sit_outside_every_centre(client, demo):
    from parkbrain.registry.models import Park

    client.force_login(demo.user("analyst"))
    data = client.get(reverse("registry:zone")).context["map_data"]
    centres = [p.outline for p in Park.objects.filter(zone=demo.zone, kind="centre")]
    assert data["parks"] and centres
    for label in data["parks"]:
        park = Park.objects.get(pk=label["id"])
        assert geo._inside(*label["value"], park.outline), park.name
        assert not any(geo._inside(*label["value"], c) for c in centres), park.name
