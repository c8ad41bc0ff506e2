"""Draw the Teams app icons: manifest/color.png (192×192) and manifest/outline.png (32×32).

Every shape is a signed distance field, each pixel's coverage comes from the distance at its
centre (anti-aliased edges); Pillow (a development requirement) writes the PNG files.

The motif is the bot's checklist: two ticked rows and one open row.
- color.png: a rounded square in the accent colour (the manifest's accentColor) with a gentle
  gradient, the checklist in white on top.
- outline.png: the same checklist in pure white on a transparent background, as Teams asks.

Run from the repository root:  python scripts/make_icons.py [output-dir]
The drawing is deterministic: running it again gives the same pixels unless this file changed
(tests/test_manifest.py compares them with the committed icons).
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_DIR = ROOT / "manifest"

ACCENT = (0x0F, 0x6C, 0xBD)  # keep equal to accentColor in manifest/manifest.json
ACCENT_HEX = "#{:02X}{:02X}{:02X}".format(*ACCENT)

RGBA = tuple[int, int, int, int]
Field = Callable[[float, float], float]  # signed distance in pixels, negative inside


# --- signed distance fields -------------------------------------------------------------


def capsule(ax: float, ay: float, bx: float, by: float, radius: float) -> Field:
    """A line from a to b with round caps, `radius` half its width."""
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy

    def field(x: float, y: float) -> float:
        t = ((x - ax) * dx + (y - ay) * dy) / length2
        t = min(1.0, max(0.0, t))
        return math.hypot(x - ax - t * dx, y - ay - t * dy) - radius

    return field


def polyline(points: Sequence[tuple[float, float]], radius: float) -> Field:
    """A stroked path with round joins and caps."""
    parts = [capsule(*a, *b, radius) for a, b in itertools.pairwise(points)]
    return union(*parts)


def ring(cx: float, cy: float, radius: float, width: float) -> Field:
    """A circle outline of the given stroke width centred on `radius`."""
    return lambda x, y: abs(math.hypot(x - cx, y - cy) - radius) - width / 2


def rounded_rect(x0: float, y0: float, x1: float, y1: float, radius: float) -> Field:
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hw, hh = (x1 - x0) / 2 - radius, (y1 - y0) / 2 - radius

    def field(x: float, y: float) -> float:
        qx, qy = abs(x - cx) - hw, abs(y - cy) - hh
        outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
        return outside + min(max(qx, qy), 0.0) - radius

    return field


def union(*fields: Field) -> Field:
    return lambda x, y: min(f(x, y) for f in fields)


def coverage(distance: float) -> float:
    """How much of a one-pixel square centred on the sample the shape covers, roughly."""
    return min(1.0, max(0.0, 0.5 - distance))


# --- the motif --------------------------------------------------------------------------


def checklist(scale: float, stroke: float, bar_stroke: float) -> tuple[Field, Field, Field]:
    """The checklist drawn on a 32-unit grid scaled by `scale`; strokes are in grid units.

    Returns (ticks and done bars, open-row marker, open-row bar) so the colour icon can draw
    the open row a little fainter.
    """

    def s(v: float) -> float:
        return v * scale

    rows = (8.0, 16.0, 24.0)
    ticks = [
        polyline([(s(3.8), s(y + 0.1)), (s(6.1), s(y + 2.3)), (s(10.4), s(y - 2.3))], s(stroke) / 2)
        for y in rows[:2]
    ]
    bars_done = [
        capsule(s(15.0), s(y), s(28.5 - 2.5 * i), s(y), s(bar_stroke) / 2)
        for i, y in enumerate(rows[:2])
    ]
    open_marker = ring(s(7.1), s(rows[2]), s(2.4), s(stroke) * 0.8)
    open_bar = capsule(s(15.0), s(rows[2]), s(23.5), s(rows[2]), s(bar_stroke) / 2)
    return union(*ticks, *bars_done), open_marker, open_bar


def draw_color(size: int = 192) -> list[list[RGBA]]:
    # The checklist fills the centre ~66 % of the tile, inside Teams' safe region for symbols.
    inset = size * 0.17
    done, open_marker, open_bar = checklist((size - 2 * inset) / 32, 2.1, 2.3)
    tile = rounded_rect(0.5, 0.5, size - 0.5, size - 0.5, size * 0.2)
    light = tuple(min(255, round(c + (255 - c) * 0.16)) for c in ACCENT)
    dark = tuple(round(c * 0.78) for c in ACCENT)

    pixels: list[list[RGBA]] = []
    for py in range(size):
        row: list[RGBA] = []
        for px in range(size):
            x, y = px + 0.5, py + 0.5
            alpha = coverage(tile(x, y))
            if alpha == 0.0:
                row.append((0, 0, 0, 0))
                continue
            # Diagonal gradient, lighter at the top left.
            t = (x + y) / (2 * size)
            bg = [light[i] + (dark[i] - light[i]) * t for i in range(3)]
            mx, my = x - inset, y - inset
            # A soft shadow under the white strokes lifts them off the tile.
            sdx, sdy = mx - size * 0.008, my - size * 0.016
            shadow_d = min(done(sdx, sdy), open_marker(sdx, sdy), open_bar(sdx, sdy))
            shadow = 0.22 * min(1.0, max(0.0, 1.0 - (shadow_d + 1.0) / (size * 0.03)))
            bg = [c * (1 - shadow) for c in bg]
            white = max(
                coverage(done(mx, my)),
                coverage(open_marker(mx, my)),
                0.72 * coverage(open_bar(mx, my)),
            )
            rgb = [round(c + (255 - c) * white) for c in bg]
            row.append((rgb[0], rgb[1], rgb[2], round(255 * alpha)))
        pixels.append(row)
    return pixels


def draw_outline(size: int = 32) -> list[list[RGBA]]:
    scale = size / 32
    done, open_marker, open_bar = checklist(scale, 2.0, 2.2)
    shape = union(done, open_marker, open_bar)
    pixels: list[list[RGBA]] = []
    for py in range(size):
        row: list[RGBA] = []
        for px in range(size):
            alpha = coverage(shape(px + 0.5, py + 0.5))
            row.append((255, 255, 255, round(255 * alpha)))
        pixels.append(row)
    return pixels


# --- output -----------------------------------------------------------------------------


def to_image(pixels: Sequence[Sequence[RGBA]]) -> Image.Image:
    """8-bit RGBA rows as a Pillow image."""
    image = Image.new("RGBA", (len(pixels[0]), len(pixels)))
    image.putdata([pixel for row in pixels for pixel in row])
    return image


def write_icons(out_dir: Path = MANIFEST_DIR) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    color, outline = out_dir / "color.png", out_dir / "outline.png"
    to_image(draw_color()).save(color, format="PNG", optimize=True)
    to_image(draw_outline()).save(outline, format="PNG", optimize=True)
    return color, outline


def main(argv: Sequence[str]) -> int:
    out_dir = Path(argv[0]) if argv else MANIFEST_DIR
    for path in write_icons(out_dir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
