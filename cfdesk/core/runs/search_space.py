"""What Tune searches: model kind, size, rate, decay, epochs, batch size, the implicit term and
the nn's layers; one mapping from a trial's parameters to a TrainConfig serves every use."""

from __future__ import annotations

from collections.abc import Sequence

from cfdesk.core.config import TrainConfig

KINDS = ("dotbias", "nn", "dist", "dot")
FACTORS = (8, 256)  # log-uniform integers
LEARNING_RATES = (1e-3, 5e-2)  # log-uniform, at the reference batch (lr_batch)
WEIGHT_DECAYS = (0.05, 5.0)  # log-uniform, decoupled (fastai's wd)
EPOCHS = (3, 25)
BATCHES = (512, 1024, 2048, 4096)
LAYER_SIZES = (32, 64, 128, 256)
MAX_LAYERS = 2


def defaults_as_params() -> dict:
    """cfdesk's defaults in the search's terms: Tune tries them first, so it never ends worse
    than the defaults on validation."""
    defaults = TrainConfig()
    return {
        "model": defaults.model,
        "n_factors": defaults.n_factors,
        "lr": defaults.lr,
        "weight_decay": defaults.weight_decay,
        "epochs": defaults.epochs,
        "batch_size": 1024,  # what Automatic picks for up to a million ratings
        "implicit": defaults.implicit is not False,
    }


def suggest(trial, kinds: Sequence[str] = KINDS) -> dict:
    """Ask an Optuna trial for one point of the space (the nn's layers only for nn)."""
    params = {
        "model": trial.suggest_categorical("model", list(kinds)),
        "n_factors": trial.suggest_int("n_factors", *FACTORS, log=True),
        "lr": trial.suggest_float("lr", *LEARNING_RATES, log=True),
        "weight_decay": trial.suggest_float("weight_decay", *WEIGHT_DECAYS, log=True),
        "epochs": trial.suggest_int("epochs", *EPOCHS),
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
    return base.with_changes(**changes, patience=0, accum_steps=1, y_range=None)


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
