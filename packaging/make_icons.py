"""Render resources/icons/cfdesk.svg into the PNG sizes, .ico and .icns the launchers and bundles need.

Build-time tool (needs Pillow, which the app itself does not): `python packaging/make_icons.py`.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # Windows uses at most 256 px
ICNS_SIZES = (16, 32, 64, 128, 256, 512, 1024)  # 16 px up to 512@2x, as macOS asks


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    """Rasterise the SVG at exactly `size` px (no downscaling, so small sizes stay crisp)."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(data))).convert("RGBA")


def write_atomic(path: Path, save: object) -> None:
    """Write through a temporary file in the same folder so a failed run never leaves half an icon."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        save(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; icons must be readable by everyone
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def make_icons(svg: Path, out: Path) -> list[Path]:
    """Write cfdesk-<size>.png for every size plus cfdesk.ico and cfdesk.icns; return the paths."""
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {svg} is not a valid SVG")
    images = {size: render(renderer, size) for size in sorted({*PNG_SIZES, *ICNS_SIZES})}
    written = []
    for size in PNG_SIZES:
        path = out / f"cfdesk-{size}.png"
        write_atomic(path, lambda tmp, size=size: images[size].save(tmp, format="PNG"))
        written.append(path)
    ico = out / "cfdesk.ico"
    write_atomic(
        ico,
        lambda tmp: images[256].save(
            tmp,
            format="ICO",
            sizes=[(s, s) for s in ICO_SIZES],
            append_images=[images[s] for s in ICO_SIZES],
        ),
    )
    icns = out / "cfdesk.icns"
    write_atomic(
        icns,
        lambda tmp: images[1024].save(
            tmp, format="ICNS", append_images=[images[s] for s in ICNS_SIZES]
        ),
    )
    return [*written, ico, icns]


def main() -> int:
    """Command line: optional --svg and --out, defaults to the checkout's resources/icons."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=ICONS / "cfdesk.svg")
    parser.add_argument("--out", type=Path, default=ICONS)
    args = parser.parse_args()
    for path in make_icons(args.svg, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
