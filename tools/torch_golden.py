#!/usr/bin/env python3
"""Golden values for tests/it/torch_golden.rs, produced by torch.optim itself.

Every optimizer that PyTorch ships (downhill's gd, momentum, nesterov, adagrad, rmsprop,
adadelta, adam, adamw, amsgrad, nadam, radam, and lbfgs without its line search) takes K = 30
steps in float64 on

- Rosenbrock  f(x, y) = (1 - x)^2 + 100 (y - x^2)^2   from (-1.2, 1.0), and
- Himmelblau  f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2   from (0.5, 0.5),

with the gradient from autograd. After each step the file records θ and the optimizer's state
under torch's own names (state['exp_avg'], state['momentum_buffer'], ..., state['step']).
The "hp" of a case uses downhill's hyperparameter names; `torch_optimizer` below maps them
onto the torch constructor (betas = (beta1, beta2), nesterov = SGD(nesterov=True), amsgrad =
Adam(amsgrad=True), ...).

L-BFGS: downhill's lbfgs is torch.optim.LBFGS with max_iter=1, one optimizer.step(closure)
per engine step (and max_eval=26, so that torch's search gets downhill's 25 evaluations;
tolerance_grad = tolerance_change = 0, as downhill never stops inside the optimizer). With
line_search = 0 it is LBFGS(line_search_fn=None) exactly (the step is lr, lr * min(1, 1/|g|_1)
on the first). With the line search on, the two strong Wolfe searches try other steps once
the first trial is not accepted: downhill's (Nocedal & Wright, Algorithms 3.5/3.6) doubles
the trial while bracketing and clamps the zoom's cubic into the middle 80% of the bracket,
torch's _strong_wolfe extrapolates by a cubic within [t + 0.01 (t - t_prev), 10 t] and has
its own "insufficient progress" rule. On Rosenbrock from (-1.2, 1) they happen to take the
same trials for 30 steps; on Himmelblau from (0.5, 0.5) the first step already differs
(downhill tries 1/66, 2/66, 4/66 and takes 4/66; torch tries 1/66, 0.0776, 0.0612 and takes
0.0612). Those cases are therefore not written (pass --with-lbfgs-line-search to write them
anyway, for a look at where they part; the test then fails).

Run (from the repository root; any torch with float64 on CPU):
    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch
    /tmp/torchenv/bin/python tools/torch_golden.py        # writes tests/it/golden/torch_steps.json
"""
import json
import os
import sys

import torch

K = 30
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "it", "golden", "torch_steps.json")

SURFACES = {
    "rosenbrock": ((-1.2, 1.0), lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2),
    "himmelblau": ((0.5, 0.5), lambda x, y: (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2),
}

# downhill's defaults, used where a case does not set a hyperparameter (they are torch's
# defaults too, except where noted).
DEFAULTS = {
    "gd": {"lr": 1e-3, "weight_decay": 0.0},
    "momentum": {"lr": 1e-3, "momentum": 0.9, "dampening": 0.0, "weight_decay": 0.0, "nesterov": 0},
    "nesterov": {"lr": 1e-3, "momentum": 0.9, "weight_decay": 0.0},
    "adagrad": {"lr": 1e-2, "lr_decay": 0.0, "weight_decay": 0.0, "initial_accumulator_value": 0.0, "eps": 1e-10},
    "rmsprop": {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0, "centered": 0},
    "adadelta": {"lr": 1.0, "rho": 0.9, "eps": 1e-6, "weight_decay": 0.0},
    "adam": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0, "amsgrad": 0},
    "adamw": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 1e-2, "amsgrad": 0},
    "amsgrad": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
    "nadam": {"lr": 2e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0, "momentum_decay": 4e-3, "decoupled_weight_decay": 0},
    "radam": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0, "decoupled_weight_decay": 0},
    "lbfgs": {"lr": 1.0, "history_size": 100, "line_search": 1},
}


def torch_optimizer(name, hp, params):
    """torch.optim's counterpart of downhill's optimizer `name` with downhill's values `hp`."""
    h = dict(DEFAULTS[name], **hp)
    single = {"foreach": False}  # the plain per-tensor loop (the CPU default anyway)
    if name in ("gd", "momentum", "nesterov"):
        momentum = 0.0 if name == "gd" else h["momentum"]
        return torch.optim.SGD(
            params,
            lr=h["lr"],
            momentum=momentum,
            dampening=h.get("dampening", 0.0),
            weight_decay=h["weight_decay"],
            nesterov=name == "nesterov" or bool(h.get("nesterov", 0)),
            **single,
        )
    if name == "adagrad":
        return torch.optim.Adagrad(
            params,
            lr=h["lr"],
            lr_decay=h["lr_decay"],
            weight_decay=h["weight_decay"],
            initial_accumulator_value=h["initial_accumulator_value"],
            eps=h["eps"],
            **single,
        )
    if name == "rmsprop":
        return torch.optim.RMSprop(
            params,
            lr=h["lr"],
            alpha=h["alpha"],
            eps=h["eps"],
            weight_decay=h["weight_decay"],
            momentum=h["momentum"],
            centered=bool(h["centered"]),
            **single,
        )
    if name == "adadelta":
        return torch.optim.Adadelta(
            params, lr=h["lr"], rho=h["rho"], eps=h["eps"], weight_decay=h["weight_decay"], **single
        )
    if name in ("adam", "adamw", "amsgrad"):
        cls = torch.optim.AdamW if name == "adamw" else torch.optim.Adam
        return cls(
            params,
            lr=h["lr"],
            betas=(h["beta1"], h["beta2"]),
            eps=h["eps"],
            weight_decay=h["weight_decay"],
            amsgrad=name == "amsgrad" or bool(h.get("amsgrad", 0)),
            **single,
        )
    if name == "nadam":
        return torch.optim.NAdam(
            params,
            lr=h["lr"],
            betas=(h["beta1"], h["beta2"]),
            eps=h["eps"],
            weight_decay=h["weight_decay"],
            momentum_decay=h["momentum_decay"],
            decoupled_weight_decay=bool(h["decoupled_weight_decay"]),
            **single,
        )
    if name == "radam":
        return torch.optim.RAdam(
            params,
            lr=h["lr"],
            betas=(h["beta1"], h["beta2"]),
            eps=h["eps"],
            weight_decay=h["weight_decay"],
            decoupled_weight_decay=bool(h["decoupled_weight_decay"]),
            **single,
        )
    if name == "lbfgs":
        return torch.optim.LBFGS(
            params,
            lr=h["lr"],
            max_iter=1,  # one iteration per engine step
            # downhill's line search allows 25 evaluations (torch's max_ls); torch gives its
            # search max_eval minus the one evaluation of the step, and its default
            # max_eval = max_iter * 5 // 4 = 1 would leave none.
            max_eval=26,
            # downhill never stops inside the optimizer: the runner's tolerances are 0 here.
            tolerance_grad=0.0,
            tolerance_change=0.0,
            history_size=int(h["history_size"]),
            line_search_fn="strong_wolfe" if h["line_search"] else None,
        )
    raise ValueError(name)


def number(v):
    return v.item() if torch.is_tensor(v) else v


def state_record(opt, p):
    """The optimizer's state for parameter `p` under torch's names: vectors as [v0, v1],
    scalars (step, mu_product, L-BFGS's t, H_diag, n_iter, func_evals) as numbers."""
    out = {}
    for key, v in opt.state[p].items():
        if torch.is_tensor(v) and v.numel() == 2:
            out[key] = [float(a) for a in v.tolist()]
        elif torch.is_tensor(v) and v.numel() == 1 or isinstance(v, (int, float)):
            out[key] = number(v)
        # L-BFGS's history lists (old_dirs, old_stps, ro, al) are left out: downhill keeps
        # them in ring buffers that it does not expose.
    return out


def run_case(name, hp, surface):
    start, f = SURFACES[surface]
    p = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt = torch_optimizer(name, hp, [p])

    def closure():
        opt.zero_grad()
        loss = f(p[0], p[1])
        loss.backward()
        return loss

    steps = []
    for _ in range(K):
        if name == "lbfgs":
            opt.step(closure)
        else:
            closure()
            opt.step()
        steps.append({"theta": [float(a) for a in p.detach().tolist()], "state": state_record(opt, p)})
    return {"optimizer": name, "hp": hp, "surface": surface, "start": list(start), "steps": steps}


# (optimizer, hp on Rosenbrock, hp on Himmelblau): the learning rates suit each surface, the
# other settings exercise every switch and option.
CASES = [
    ("gd", {"lr": 1e-3}, {"lr": 1e-2}),
    ("gd", {"lr": 1e-3, "weight_decay": 0.1}, {"lr": 1e-2, "weight_decay": 0.1}),
    ("momentum", {"lr": 1e-3, "momentum": 0.9}, {"lr": 5e-3, "momentum": 0.9}),
    ("momentum", {"lr": 1e-3, "momentum": 0.8, "dampening": 0.1, "weight_decay": 0.01},
                 {"lr": 5e-3, "momentum": 0.8, "dampening": 0.1, "weight_decay": 0.01}),
    ("momentum", {"lr": 1e-3, "momentum": 0.9, "nesterov": 1, "weight_decay": 0.01},
                 {"lr": 5e-3, "momentum": 0.9, "nesterov": 1, "weight_decay": 0.01}),
    ("nesterov", {"lr": 1e-3, "momentum": 0.9}, {"lr": 5e-3, "momentum": 0.9}),
    ("nesterov", {"lr": 1e-3, "momentum": 0.7, "weight_decay": 0.05}, {"lr": 5e-3, "momentum": 0.7, "weight_decay": 0.05}),
    ("adagrad", {"lr": 0.1}, {"lr": 0.5}),
    ("adagrad", {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.1, "eps": 1e-3},
                {"lr": 0.5, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.1, "eps": 1e-3}),
    ("rmsprop", {"lr": 0.01}, {"lr": 0.05}),
    ("rmsprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-4, "weight_decay": 0.1, "momentum": 0.5, "centered": 1},
                {"lr": 0.05, "alpha": 0.9, "eps": 1e-4, "weight_decay": 0.1, "momentum": 0.5, "centered": 1}),
    ("rmsprop", {"lr": 0.01, "centered": 1}, {"lr": 0.05, "momentum": 0.9}),
    ("adadelta", {"lr": 1.0}, {"lr": 1.0}),
    ("adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-3, "weight_decay": 0.1},
                 {"lr": 2.0, "rho": 0.8, "eps": 1e-3, "weight_decay": 0.1}),
    ("adam", {"lr": 0.05}, {"lr": 0.1}),
    ("adam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.9, "eps": 1e-3, "weight_decay": 0.1},
             {"lr": 0.1, "beta1": 0.8, "beta2": 0.9, "eps": 1e-3, "weight_decay": 0.1}),
    ("adam", {"lr": 0.05, "beta2": 0.99, "weight_decay": 0.05, "amsgrad": 1},
             {"lr": 0.1, "beta2": 0.99, "weight_decay": 0.05, "amsgrad": 1}),
    ("adamw", {"lr": 0.05}, {"lr": 0.1}),
    ("adamw", {"lr": 0.05, "beta1": 0.85, "weight_decay": 0.5, "amsgrad": 1},
              {"lr": 0.1, "beta1": 0.85, "weight_decay": 0.5, "amsgrad": 1}),
    ("amsgrad", {"lr": 0.05}, {"lr": 0.1}),
    ("amsgrad", {"lr": 0.05, "beta2": 0.9, "eps": 1e-4, "weight_decay": 0.1},
                {"lr": 0.1, "beta2": 0.9, "eps": 1e-4, "weight_decay": 0.1}),
    ("nadam", {"lr": 0.05}, {"lr": 0.1}),
    ("nadam", {"lr": 0.05, "weight_decay": 0.1, "momentum_decay": 0.01},
              {"lr": 0.1, "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("nadam", {"lr": 0.05, "beta1": 0.8, "weight_decay": 0.1, "decoupled_weight_decay": 1},
              {"lr": 0.1, "beta1": 0.8, "weight_decay": 0.1, "decoupled_weight_decay": 1}),
    # RAdam's warm-up steps are γ·m̂, unscaled: a small γ, or the first steps fly off.
    ("radam", {"lr": 1e-3}, {"lr": 5e-3}),
    ("radam", {"lr": 1e-3, "beta2": 0.99, "weight_decay": 0.1},
              {"lr": 5e-3, "beta2": 0.99, "weight_decay": 0.1}),
    ("radam", {"lr": 1e-3, "beta2": 0.9, "weight_decay": 0.1, "decoupled_weight_decay": 1},
              {"lr": 5e-3, "beta2": 0.9, "weight_decay": 0.1, "decoupled_weight_decay": 1}),
    # Without its line search L-BFGS on Rosenbrock magnifies rounding quickly at most step
    # sizes (a change of θ₀ in the last bit moves θ₃₀ by up to 1e-9): these two keep it near
    # 1e-13, so that the test's 1e-12 compares the update rule and not the rounding.
    ("lbfgs", {"lr": 0.3, "line_search": 0}, {"lr": 0.5, "line_search": 0}),
    ("lbfgs", {"lr": 0.4, "line_search": 0, "history_size": 4}, {"lr": 0.5, "line_search": 0, "history_size": 3}),
]

LINE_SEARCH_CASES = [
    ("lbfgs", {"lr": 1.0}, {"lr": 1.0}),
    ("lbfgs", {"lr": 1.0, "history_size": 5}, {"lr": 1.0, "history_size": 5}),
]


def main(argv):
    torch.set_default_dtype(torch.float64)
    cases = CASES + (LINE_SEARCH_CASES if "--with-lbfgs-line-search" in argv else [])
    paths = [a for a in argv if not a.startswith("--")]
    out_path = paths[0] if paths else OUT
    records = []
    for name, hp_rosenbrock, hp_himmelblau in cases:
        for surface, hp in (("rosenbrock", hp_rosenbrock), ("himmelblau", hp_himmelblau)):
            records.append(run_case(name, hp, surface))
    generated_by = {
        "command": "python3 tools/torch_golden.py" + "".join(" " + a for a in argv if a.startswith("--")),
        "torch": torch.__version__,
        "dtype": "float64",
        "device": "cpu",
    }
    lines = ['{"generated_by": ' + json.dumps(generated_by) + ',', ' "steps_per_case": %d,' % K, ' "cases": [']
    lines.append(",\n".join("  " + json.dumps(r, separators=(",", ":")) for r in records))
    lines.append(" ]}")
    with open(out_path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"{len(records)} cases, {K} steps each -> {os.path.relpath(out_path)}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
