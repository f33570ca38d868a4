"""The few pieces of a lab run config (src/train/config.ts, src/tasks/tokens.ts) that the
PyTorch scripts need: the model, size, task, d, the prompt's token count and the official
n_positions."""
import json

# TASK_DEFAULTS of src/train/config.ts: (nDims, nPoints)
TASK_DEFAULTS = {
    "linear_regression": (20, 41),
    "sparse_linear_regression": (20, 41),
    "relu_2nn_regression": (20, 101),
    "decision_tree": (20, 101),
    "orthogonal_outlier_regression": (20, 101),
    "many_outlier_regression": (20, 512),
    "sparse_parity": (10, 140),
    "cot_io": (10, 50),
    "vector_mqar": (20, 64),
}


# n_positions of the official configs per task (src/tasks/curriculum.ts N_POSITIONS, which says why)
N_POSITIONS = {
    "linear_regression": 101,
    "sparse_linear_regression": 101,
    "relu_2nn_regression": 101,
    "decision_tree": 256,
    "orthogonal_outlier_regression": 256,
    "many_outlier_regression": 1024,
    "sparse_parity": 300,
    "cot_io": 256,
    "vector_mqar": 130,
}


def load_config(path):
    """A run config or run file (its "config") → a dict with the defaults filled in."""
    with open(path) as f:
        raw = json.load(f)
    cfg = dict(raw.get("config", raw))
    cfg.setdefault("task", "linear_regression")
    cfg.setdefault("model", "transformer")
    cfg.setdefault("size", "tiny")
    d, n = TASK_DEFAULTS[cfg["task"]]
    cfg.setdefault("nDims", d)
    cfg.setdefault("nPoints", n)
    cfg.setdefault("seed", 1)
    return cfg


def tokens_for(task, n_points):
    """Tokens in a full prompt (src/tasks/tokens.ts)."""
    if task == "cot_io":
        return 3 * n_points  # x, s, y per example
    if task == "vector_mqar":
        return 2 * n_points + 1  # key/value pairs, then the query
    return 2 * n_points  # interleaved x, y


def out_dim(task, d):
    """Read-out width: d for cot_io and vector_mqar, 1 for scalar targets."""
    return d if task in ("cot_io", "vector_mqar") else 1


def loss_kind(task):
    return "logistic" if task == "sparse_parity" else "mse"
