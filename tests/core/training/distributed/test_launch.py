"""Joining a torchrun job: what is read from the environment, which device and backend each
process gets (CUDA faked: no GPU here), and sentences for a process started without torchrun."""

from __future__ import annotations

import pytest
import torch

from cfdesk.core.errors import TrainingError
from cfdesk.core.training.distributed.launch import (
    NOT_LAUNCHED,
    Launch,
    backend_for,
    launch_from_env,
    pick_device,
)


def test_without_torchrun_the_error_says_how_to_start_it():
    with pytest.raises(TrainingError) as caught:
        launch_from_env({"LOCAL_RANK": "0"})
    assert str(caught.value) == NOT_LAUNCHED and "torchrun --nproc-per-node N" in NOT_LAUNCHED


def test_the_environment_torchrun_sets_is_read():
    env = {"RANK": "3", "WORLD_SIZE": "8", "LOCAL_RANK": "1", "CFDESK_DIST_TIMEOUT": "90"}
    assert launch_from_env(env) == Launch(rank=3, size=8, local_rank=1, timeout_s=90.0)
    with pytest.raises(TrainingError, match="must be numbers"):
        launch_from_env({"RANK": "x", "WORLD_SIZE": "2"})
    with pytest.raises(TrainingError, match="below WORLD_SIZE"):
        launch_from_env({"RANK": "2", "WORLD_SIZE": "2"})


def test_cpus_talk_over_gloo_and_gpus_over_nccl():
    assert backend_for(torch.device("cpu")) == "gloo"
    assert backend_for(torch.device("cuda", 1)) == "nccl"


def test_each_process_of_a_gpu_node_takes_the_gpu_of_its_local_rank(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 4)
    launch = Launch(rank=6, size=8, local_rank=2, timeout_s=60)
    assert pick_device("auto", launch) == torch.device("cuda", 2)
    assert pick_device("cuda", launch) == torch.device("cuda", 2)
    assert pick_device("cpu", launch) == torch.device("cpu")
    with pytest.raises(TrainingError, match="only 4 CUDA device"):
        pick_device("auto", Launch(rank=5, size=8, local_rank=5, timeout_s=60))


def test_without_a_gpu_processes_train_on_the_cpu_and_mps_is_refused(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    launch = Launch(rank=0, size=2, local_rank=0, timeout_s=60)
    assert pick_device("auto", launch) == torch.device("cpu")
    monkeypatch.setattr("cfdesk.core.training.device._mps_available", lambda: True)
    with pytest.raises(TrainingError, match="no MPS backend"):
        pick_device("mps", launch)
