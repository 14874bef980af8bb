"""cfdesk.core must never import Qt: the CLI and tests run without a GUI stack."""

import pkgutil
import subprocess
import sys

import cfdesk.core


def test_importing_every_core_module_loads_no_qt():
    names = [m.name for m in pkgutil.walk_packages(cfdesk.core.__path__, "cfdesk.core.")]
    code = (
        "import importlib, sys\n"
        f"for n in {names!r}: importlib.import_module(n)\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert len(names) >= 5
    assert out.stdout.strip() == ""
