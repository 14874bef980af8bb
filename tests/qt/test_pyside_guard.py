"""PySide6 6.12.0's Signal.emit() dropped a reference to True per call (excluded in pyproject)."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import cfdesk.qt
from PySide6.QtCore import QCoreApplication, QObject, Signal
app = QCoreApplication([])
class Emitter(QObject):
    ping = Signal()
emitter = Emitter()
for _ in range(20_000):
    emitter.ping.emit()
print("alive")
"""


def test_many_signal_emits_do_not_abort_the_interpreter():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "alive"
