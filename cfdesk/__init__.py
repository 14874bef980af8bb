"""cfdesk: collaborative filtering on the desktop (imports neither torch nor Qt)."""

from __future__ import annotations

import os

# Before torch loads OpenMP: idle worker threads sleep instead of spinning, so a second training
# thread cannot stall when other processes share the cores (45x slower without it, measured).
# setdefault: a user's own OMP_WAIT_POLICY wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
