"""cfdesk: collaborative filtering on the desktop (imports neither torch nor Qt)."""

from __future__ import annotations

import os

# Before torch loads OpenMP: an idle worker thread spins for ~0.1 ms (GOMP_SPINCOUNT, GNU OpenMP),
# enough to catch the next op of a training step (a 25M-rating epoch 2.5x faster than sleeping
# at once), then sleeps (PASSIVE) instead of spinning for 3 ms, which made training 45x slower
# when other processes held the cores. A user's own OMP_WAIT_POLICY or GOMP_SPINCOUNT wins.
if "OMP_WAIT_POLICY" not in os.environ:
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    os.environ.setdefault("GOMP_SPINCOUNT", "10000")

__version__ = "0.1.0"
