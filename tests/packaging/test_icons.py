"""The icon set is complete: SVG source, every PNG size, a multi-size .ico and an .icns."""

from __future__ import annotations

import struct
import xml.etree.ElementTree as ET

import pytest

from cfdesk.assets import asset_path

PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def test_svg_source_is_square_and_well_formed() -> None:
    root = ET.parse(asset_path("icons/cfdesk.svg")).getroot()
    assert root.tag.endswith("svg")
    assert root.get("viewBox") == "0 0 512 512"


@pytest.mark.parametrize("size", PNG_SIZES)
def test_png_exists_at_its_exact_size(size: int) -> None:
    data = asset_path(f"icons/cfdesk-{size}.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (width, height) == (size, size)
    assert colour == 6  # RGBA: rounded corners stay transparent


def test_ico_holds_every_windows_size() -> None:
    data = asset_path("icons/cfdesk.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    sizes = {data[6 + 16 * i] or 256 for i in range(count)}
    assert sizes == {16, 24, 32, 48, 64, 128, 256}


def test_icns_is_a_mac_icon_with_large_renders() -> None:
    data = asset_path("icons/cfdesk.icns").read_bytes()
    assert data[:4] == b"icns"
    assert struct.unpack(">I", data[4:8])[0] == len(data)
    assert b"ic09" in data and b"ic10" in data  # 512 px and 512@2x
