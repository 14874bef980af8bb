"""Preflight: versions, the device, its UUID, NVML by index and by UUID, NVML's total beside
torch.cuda.mem_get_info. PASS when the device trains a tiny model and, on CUDA, NVML (when it
works at all) finds this GPU by UUID with a total within 5 % of CUDA's."""

from __future__ import annotations

import platform

import torch

from bench.gpu.common import Stage, run, u1_or_generated
from cfdesk.core.config import TrainConfig
from cfdesk.core.training import memory
from cfdesk.core.training.device import device_name, list_devices, pick_device
from cfdesk.core.training.trainer import fit


def _nvml_by_index(nvml) -> list[dict]:
    """Every GPU NVML sees, in NVML's own (PCI) order."""
    rows = []
    for i in range(nvml.nvmlDeviceGetCount()):
        handle = nvml.nvmlDeviceGetHandleByIndex(i)
        info = nvml.nvmlDeviceGetMemoryInfo(handle)
        rows.append({"index": i, "uuid": nvml.nvmlDeviceGetUUID(handle),
                     "name": nvml.nvmlDeviceGetName(handle), "used": info.used,
                     "total": info.total})  # fmt: skip
    return rows


def _cuda_facts(stage: Stage) -> tuple[bool, str]:
    dev = torch.device("cuda", torch.cuda.current_device())
    props = torch.cuda.get_device_properties(dev)
    free, total = torch.cuda.mem_get_info(dev)
    facts = {"name": props.name, "uuid": memory.cuda_uuid(dev.index), "capability":
             f"{props.major}.{props.minor}", "cuda_total": total, "cuda_free": free,
             "visible": torch.cuda.device_count()}  # fmt: skip
    handle, why = memory.nvml_handle(dev.index)
    nvml, _ = memory._nvml()
    if nvml is not None:
        facts["nvml_by_index"] = _nvml_by_index(nvml)
    if handle is None:
        stage.save(cuda=facts, nvml_by_uuid=None, nvml_problem=why)
        return True, f"NVML unavailable ({why}); charts fall back to CUDA's figures"
    info = nvml.nvmlDeviceGetMemoryInfo(handle)
    by_uuid = {"used": info.used, "total": info.total, "mig": _is_mig(nvml, handle)}
    stage.save(cuda=facts, nvml_by_uuid=by_uuid)
    ratio = info.total / total
    return 0.95 <= ratio <= 1.05, f"NVML total / CUDA total = {ratio:.4f}"


def _is_mig(nvml, handle) -> bool | None:
    try:
        return bool(nvml.nvmlDeviceIsMigDeviceHandle(handle))
    except (AttributeError, nvml.NVMLError):
        return None


def body(stage: Stage) -> tuple[bool, str]:
    stage.save(torch=torch.__version__, cuda_version=torch.version.cuda,
               python=platform.python_version(), machine=platform.machine(),
               devices=[d.name for d in list_devices()])  # fmt: skip
    train, test, source = u1_or_generated()
    auto_small = pick_device("auto", train.n_ratings)
    auto_big = pick_device("auto", stage.sizes["big_n"])
    stage.save(data=source, auto_for_u1=auto_small[1], auto_for_big=auto_big[1])
    passed, why = True, ""
    if stage.device == "cuda":
        passed, why = _cuda_facts(stage)
    config = TrainConfig(device=stage.device, epochs=1, valid_frac=0.0)
    fitted = fit(train.subset(slice(0, 20_000)), config)
    stage.save(device_name=device_name(torch.device(fitted.metrics["device"])),
               smoke_train_rmse=fitted.metrics["train_rmse"])  # fmt: skip
    return passed and fitted.metrics["train_rmse"] < 1.5, why or "a tiny fit trained"


if __name__ == "__main__":
    raise SystemExit(run("preflight", body, __doc__))
