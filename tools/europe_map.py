"""Builds static/img/europe-map.svg, the outlines the registry's map of Europe draws.

The source is Natural Earth's 1:50m countries (public domain), as the world-atlas package
redistributes them in TopoJSON (version 2.0.2, Natural Earth 4.1.0):

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python tools/europe_map.py package/countries-50m.json

Each country is projected with the Lambert azimuthal equal-area projection that Eurostat's
maps use (EPSG:3035's centre, 52°N 10°E), clipped to a frame around Europe, simplified to
what a 600-pixel-wide drawing shows, and written as one SVG path per country, its id the
ISO 3166-1 alpha-2 code. The pages draw each country with `<use href=".../europe-map.svg#DE">`,
so the outlines travel once to a browser, which keeps them, and a page carries only the
shades and links. Only the result is kept in the repository; run this again to change the
frame.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pycountry

OUTPUT = Path(__file__).resolve().parent.parent / "static" / "img" / "europe-map.svg"
SOURCE = "Natural Earth 1:50m admin 0 countries (public domain), via world-atlas 2.0.2"
WIDTH = 600  # the drawing's width; its height follows from the frame
TOLERANCE = 1.0  # pixels: a bend smaller than this is not drawn
# The points that set the frame (longitude, latitude): Iceland's west, the North Cape,
# Norway's north-east, Cyprus, Crete, Turkey's east, Portugal's south-west, Ireland's west.
FRAME_POINTS = [
    (-24.5, 65.5),
    (25.8, 71.2),
    (31.0, 70.4),
    (34.6, 34.6),
    (24.5, 34.8),
    (44.8, 39.5),
    (-9.5, 37.0),
    (-10.5, 52.0),
]
# Natural Earth features without an ISO number that the registry knows by a code.
CODES_BY_NAME = {"Kosovo": "XK"}
CENTRE_LAT, CENTRE_LON = math.radians(52), math.radians(10)


def project(lon: float, lat: float) -> tuple[float, float]:
    """Lambert azimuthal equal-area on the sphere, y growing northwards."""
    phi, lam = math.radians(lat), math.radians(lon) - CENTRE_LON
    k = math.sqrt(
        2
        / (
            1
            + math.sin(CENTRE_LAT) * math.sin(phi)
            + math.cos(CENTRE_LAT) * math.cos(phi) * math.cos(lam)
        )
    )
    x = k * math.cos(phi) * math.sin(lam)
    y = k * (
        math.cos(CENTRE_LAT) * math.sin(phi) - math.sin(CENTRE_LAT) * math.cos(phi) * math.cos(lam)
    )
    return x, y


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list, indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def polygons(geometry: dict, arcs: list) -> list[list[list[tuple[float, float]]]]:
    if geometry["type"] == "Polygon":
        return [[ring(arcs, r) for r in geometry["arcs"]]]
    if geometry["type"] == "MultiPolygon":
        return [[ring(arcs, r) for r in polygon] for polygon in geometry["arcs"]]
    return []


def frame_box() -> tuple[float, float, float, float]:
    """The projected frame: the box around the points of Europe that bound it, plus a margin."""
    xs, ys = zip(*(project(lon, lat) for lon, lat in FRAME_POINTS), strict=True)
    margin = 0.02 * (max(xs) - min(xs))
    return min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin


def clip(points: list[tuple[float, float]], box: tuple) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: the ring cut to the box."""
    west, south, east, north = box
    edges = [
        (lambda p: p[0] >= west, lambda a, b: _cross_x(a, b, west)),
        (lambda p: p[0] <= east, lambda a, b: _cross_x(a, b, east)),
        (lambda p: p[1] >= south, lambda a, b: _cross_y(a, b, south)),
        (lambda p: p[1] <= north, lambda a, b: _cross_y(a, b, north)),
    ]
    for inside, cross in edges:
        if not points:
            return []
        result = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    result.append(cross(previous, point))
                result.append(point)
            elif inside(previous):
                result.append(cross(previous, point))
            previous = point
        points = result
    return points


def _cross_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return x, a[1] + t * (b[1] - a[1])


def _cross_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return a[0] + t * (b[0] - a[0]), y


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker, iteratively."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay) or 1e-9
        farthest, distance = None, tolerance
        for index in range(first + 1, last):
            px, py = points[index]
            d = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            if d > distance:
                farthest, distance = index, d
        if farthest is not None:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def simplify_ring(points: list[tuple[float, float]], tolerance: float) -> list:
    """A closed ring in two halves: Douglas-Peucker needs two distinct ends."""
    middle = len(points) // 2
    return simplify(points[: middle + 1], tolerance)[:-1] + simplify(points[middle:], tolerance)


def area(points: list[tuple[float, float]]) -> float:
    return (
        abs(
            sum(
                a[0] * b[1] - b[0] * a[1]
                for a, b in zip(points, points[1:] + points[:1], strict=True)
            )
        )
        / 2
    )


def path(rings: list[list[tuple[float, float]]]) -> str:
    """Relative SVG path commands with one decimal: the shortest text for the outline."""
    parts = []
    cursor = (0.0, 0.0)
    for points in rings:
        rounded = [(round(x, 1), round(y, 1)) for x, y in points]
        start = rounded[0]
        steps = [f"m{_n(start[0] - cursor[0])} {_n(start[1] - cursor[1])}"]
        previous = start
        for point in rounded[1:]:
            dx, dy = point[0] - previous[0], point[1] - previous[1]
            if dx or dy:
                steps.append(f"{_n(dx)} {_n(dy)}")
            previous = point
        parts.append(" ".join(steps) + "z")
        cursor = start
    return "".join(parts)


def _n(value: float) -> str:
    text = f"{round(value, 1):g}"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def code_of(feature: dict) -> str | None:
    name = feature.get("properties", {}).get("name", "")
    if name in CODES_BY_NAME:
        return CODES_BY_NAME[name]
    country = pycountry.countries.get(numeric=feature.get("id") or "")
    return country.alpha_2 if country else None


def build(topology: dict) -> dict:
    arcs = decode_arcs(topology)
    west, south, east, north = frame_box()
    scale = WIDTH / (east - west)
    height = round((north - south) * scale)

    def to_pixels(point):
        x, y = project(*point)
        return (x - west) * scale, (north - y) * scale

    pixel_box = (0, 0, WIDTH, height)
    countries: dict[str, str] = {}
    for feature in topology["objects"]["countries"]["geometries"]:
        code = code_of(feature)
        if code is None:
            continue
        cut_rings = [
            clip([to_pixels(p) for p in points if -60 < p[0] < 90 and p[1] > 20], pixel_box)
            for polygon in polygons(feature, arcs)
            for points in polygon
        ]
        rings = [
            ring
            for ring in (simplify_ring(points, TOLERANCE) for points in cut_rings if points)
            if len(ring) >= 3 and area(ring) >= 0.5
        ]
        if not rings:
            # A small country (Liechtenstein, Andorra) keeps its outline, drawn finer;
            # one below a pixel (Monaco, the Vatican) is listed beside the map instead.
            largest = max(cut_rings, key=lambda points: area(points) if points else 0)
            if len(largest) >= 3 and area(largest) >= 1:
                rings = [simplify_ring(largest, TOLERANCE / 4)]
        if rings:
            countries[code] = path(rings)
    return {"width": WIDTH, "height": height, "countries": dict(sorted(countries.items()))}


def svg(drawing: dict) -> str:
    paths = "\n".join(
        f'<path id="{code}" d="{path}"/>' for code, path in drawing["countries"].items()
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {drawing["width"]} '
        f'{drawing["height"]}" width="{drawing["width"]}" height="{drawing["height"]}">\n'
        f"<!-- {SOURCE}; Lambert azimuthal equal-area, centre 52N 10E; tools/europe_map.py -->\n"
        f"{paths}\n</svg>\n"
    )


def main() -> None:
    topology = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(svg(build(topology)), encoding="utf-8")
    print(f"{OUTPUT}: {OUTPUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
