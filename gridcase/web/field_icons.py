"""Draws 平安通's icons (static/field/icons/icon-{192,512}.png) from the site's favicon.svg
design: the red tile with its grid of nine squares, the middle one yellow. Full-bleed, the grid
inside the central 60 %, so the same file serves as a "maskable" icon (Android crops it to a
circle or a rounded square). Run after changing the design:

    .venv/bin/python -m gridcase.web.field_icons
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent / "static" / "field" / "icons"
RED, WHITE, YELLOW = "#b3261e", "#ffffff", "#ffd54f"


def draw(size: int) -> Image.Image:
    image = Image.new("RGB", (size, size), RED)
    pen = ImageDraw.Draw(image)
    # favicon.svg's 32-unit design (squares of 6 at 5, 13, 21) scaled into the safe zone.
    unit = size * 0.6 / 22
    origin = size * 0.2
    for row in range(3):
        for col in range(3):
            x = origin + col * 8 * unit
            y = origin + row * 8 * unit
            fill = YELLOW if (row, col) == (1, 1) else WHITE
            pen.rounded_rectangle((x, y, x + 6 * unit, y + 6 * unit), radius=unit, fill=fill)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size).save(OUT / f"icon-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
