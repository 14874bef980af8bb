"""The AppStream metainfo file software centres read."""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

LINUX = Path(__file__).resolve().parents[2] / "packaging" / "linux"
METAINFO = LINUX / "io.github.cfdesk.metainfo.xml"


def test_metainfo_has_the_required_appstream_tags() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    for tag in ("id", "name", "summary", "metadata_license", "project_license", "description"):
        element = root.find(tag)
        assert element is not None and "".join(element.itertext()).strip(), tag
    assert root.findtext("id") == "io.github.cfdesk"
    assert root.findtext("project_license") == "MIT"


def test_metainfo_launches_the_packaged_desktop_entry() -> None:
    root = ET.parse(METAINFO).getroot()
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert (LINUX / launchable.text).is_file()
    assert {m.text for m in root.iter("mediatype")} == {"text/csv", "text/tab-separated-values"}


def test_metainfo_passes_appstreamcli() -> None:
    tool = shutil.which("appstreamcli")
    if tool is None:
        pytest.skip("appstreamcli is not installed")
    done = subprocess.run(
        [tool, "validate", "--no-net", str(METAINFO)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
