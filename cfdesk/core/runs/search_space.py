"""What Tune searches: model kind, size, rate, decay, epochs, batch size, the implicit term and
the nn's layers; one mapping from a trial's parameters to a TrainConfig serves every use.

The autorec kind has its own ranges (a hidden layer of hundreds of units, more decay and
epochs), searched under its own parameter names so the sampler never mixes the two scales."""

from __future__ import annotations

from collections.abc import Sequence

from cfdesk.core.config import TrainConfig

KINDS = ("dotbias", "autorec", "nn", "dist", "dot")
FACTORS = (8, 256)  # log-uniform integers
LEARNING_RATES = (1e-3, 5e-2)  # log-uniform, at the reference batch (lr_batch)
WEIGHT_DECAYS = (0.05, 5.0)  # log-uniform, decoupled (fastai's wd)
EPOCHS = (3, 25)
OWN_RANGES = {  # kind: {setting: range}, under the parameter name "<kind>_<setting>"
    "autorec": {"n_factors": (100, 1000), "weight_decay": (1.0, 20.0), "epochs": (10, 60)},
}
ENSEMBLE = 5  # Tune's default: up to 5 members chosen greedily from every trial (library.py)
BAG = 2  # Tune's default: seeds per chosen setting in the refit (refit.py)
AUTOREC_START = {"n_factors": 500, "weight_decay": 5.0, "epochs": 30}  # bench_members.py
BATCHES = (512, 1024, 2048, 4096)
LAYER_SIZES = (32, 64, 128, 256)
MAX_LAYERS = 2


def defaults_as_params(kinds: Sequence[str] = KINDS) -> list[dict]:
    """The trials Tune runs first, in Optuna's names: cfdesk's defaults (so a search never ends
    worse than them on validation) and autorec's measured starting point, when searched."""
    defaults = TrainConfig()
    common = {
        "lr": defaults.lr,
        "batch_size": 1024,  # what Automatic picks for up to a million ratings
        "implicit": defaults.implicit is not False,
    }
    starts = []
    if "dotbias" in kinds:
        starts.append({"model": "dotbias", "n_factors": defaults.n_factors,
                       "weight_decay": defaults.weight_decay, "epochs": defaults.epochs,
                       **common})  # fmt: skip
    if "autorec" in kinds:
        own = {f"autorec_{k}": v for k, v in AUTOREC_START.items()}
        starts.append({"model": "autorec", **own, **common})
    return starts


def _ranged(trial, kind: str, name: str, default: tuple, log: bool = True) -> float | int:
    """One setting from the kind's own range (named "<kind>_<name>") or the shared one."""
    own = OWN_RANGES.get(kind, {})
    low, high = own.get(name, default)
    key = f"{kind}_{name}" if name in own else name
    if isinstance(low, int) and isinstance(high, int):
        return trial.suggest_int(key, low, high, log=log)
    return trial.suggest_float(key, low, high, log=log)


def suggest(trial, kinds: Sequence[str] = KINDS) -> dict:
    """Ask an Optuna trial for one point of the space (the nn's layers only for nn); the
    returned settings use TrainConfig's names whatever name the sampler saw."""
    kind = trial.suggest_categorical("model", list(kinds))
    params = {
        "model": kind,
        "n_factors": _ranged(trial, kind, "n_factors", FACTORS),
        "lr": trial.suggest_float("lr", *LEARNING_RATES, log=True),
        "weight_decay": _ranged(trial, kind, "weight_decay", WEIGHT_DECAYS),
        "epochs": _ranged(trial, kind, "epochs", EPOCHS, log=False),
        "batch_size": trial.suggest_categorical("batch_size", list(BATCHES)),
        "implicit": trial.suggest_categorical("implicit", [True, False]),
    }
    if params["model"] == "nn":
        depth = trial.suggest_int("nn_depth", 1, MAX_LAYERS)
        for k in range(1, depth + 1):
            params[f"nn_layer_{k}"] = trial.suggest_categorical(f"nn_layer_{k}", list(LAYER_SIZES))
    return params


def config_of(params: dict, base: TrainConfig) -> TrainConfig:
    """The TrainConfig a trial's parameters describe; what they leave out comes from `base`."""
    changes = {k: params[k] for k in ("model", "n_factors", "lr", "weight_decay", "epochs")}
    changes["batch_size"] = params["batch_size"]
    changes["implicit"] = None if params["implicit"] else False  # None: on unless row-sparse
    layers = [
        params[f"nn_layer_{k}"] for k in range(1, MAX_LAYERS + 1) if f"nn_layer_{k}" in params
    ]
    if layers:
        changes["nn_layers"] = tuple(int(n) for n in layers)
    # keep_best off: the refit has no validation rows and keeps its last epoch, so the trial's
    # model (whose validation predictions choose and weight the blend) must be its last too
    return base.with_changes(**changes, patience=0, accum_steps=1, y_range=None, keep_best=False)


def describe(params: dict) -> str:
    """A trial's settings in a few words, for progress lines and the app's best-settings line."""
    layers = [str(v) for k, v in sorted(params.items()) if k.startswith("nn_layer_")]
    text = (
        f"{params['model']}, {params['n_factors']} factors, lr {params['lr']:.3g}, "
        f"decay {params['weight_decay']:.3g}, {params['epochs']} epochs, "
        f"batch {params['batch_size']}"
    )
    text += "" if params.get("implicit", True) else ", no implicit term"
    return text + (f", layers {'x'.join(layers)}" if layers else "")
