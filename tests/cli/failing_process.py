"""`cfdesk train ARGS` in a torchrun process; process 1 fails at its fifth step (run by
test_train_distributed.py, which is how a process dying mid-training is simulated)."""

import os
import sys

from cfdesk.core.errors import TrainingError
from cfdesk.core.training.distributed.local_step import LocalStep
from cfdesk.entry import main

if os.environ["RANK"] == "1":
    steps_so_far = [0]
    step = LocalStep.train_step

    def failing_step(self, *args):
        steps_so_far[0] += 1
        if steps_so_far[0] == 5:
            raise TrainingError("this process was told to fail at its fifth step")
        return step(self, *args)

    LocalStep.train_step = failing_step

raise SystemExit(main(["train", *sys.argv[1:]]))
