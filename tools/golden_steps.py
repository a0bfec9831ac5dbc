#!/usr/bin/env python3
"""Golden values for tests/optimizers.rs: the first steps of every optimizer on Rosenbrock
(a = 1, b = 100) from (-1.2, 1.0), worked out in plain Python floats straight from the
published update rules:

- gd, momentum, nesterov: torch.optim.SGD documentation (algorithm box).
- adagrad, rmsprop, adadelta, adam/amsgrad, adamw, nadam, radam: the algorithm boxes of the
  matching torch.optim documentation pages.
- lion: Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms", Program 1.
- newton, shifted (saddle_free = 0): (H + tau I) p = g with tau from Nocedal & Wright,
  Numerical Optimization, Alg. 3.3 (beta = 1e-3), then x -= lr * p.
- newton, saddle-free: p = V diag(1/(|l_i| + damping)) V^T g (Dauphin et al. 2014, "Identifying
  and attacking the saddle point problem in high-dimensional non-convex optimization", eq. 13
  with the damping of its section 6), the eigenvectors of the 2 x 2 Hessian in closed form.
- either with line_search: alpha = lr, lr/2, lr/4, ... until f(x - alpha p) <= f(x) -
  1e-4 alpha g.p (Armijo backtracking, Nocedal & Wright Alg. 3.1, rho = 1/2, c = 1e-4).
- lbfgs without line search: Nocedal & Wright Alg. 7.4 (two-loop recursion) with
  H0 = (s.y / y.y) I, pairs kept when y.s > 1e-10, first step lr * min(1, 1/|g|_1) as PyTorch.

It shares no code with downhill. Run:  python3 tools/golden_steps.py > tests/golden/first_steps.json
"""
import json, math

STEPS = 8
START = (-1.2, 1.0)


def grad(p):
    x, y = p
    return [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]


def hess(p):
    x, y = p
    return [[2 - 400 * (y - x * x) + 800 * x * x, -400 * x], [-400 * x, 200.0]]


def run(step_fn, hp):
    p = list(START)
    state = {}
    out = []
    for t in range(1, STEPS + 1):
        g = grad(p)
        d = step_fn(p, g, t, hp, state)
        p = [p[i] + d[i] for i in range(2)]
        out.append(p[:])
    return out


def sgd(p, g, t, hp, st):
    lr, mu, tau, wd, nest = hp["lr"], hp.get("momentum", 0), hp.get("dampening", 0), hp.get("weight_decay", 0), hp.get("nesterov", 0)
    d = []
    for i in range(2):
        gi = g[i] + wd * p[i]
        if mu != 0:
            if t == 1:
                b = gi
            else:
                b = mu * st["b"][i] + (1 - tau) * gi
            st.setdefault("nb", [0, 0])[i] = b
            gi = gi + mu * b if nest else b
        d.append(-lr * gi)
    if mu != 0:
        st["b"] = st["nb"][:]
    return d


def adagrad(p, g, t, hp, st):
    lr, eta, wd, s0, eps = hp["lr"], hp.get("lr_decay", 0), hp.get("weight_decay", 0), hp.get("initial_accumulator_value", 0), hp.get("eps", 1e-10)
    clr = lr / (1 + (t - 1) * eta)
    s = st.setdefault("s", [s0, s0])
    d = []
    for i in range(2):
        gi = g[i] + wd * p[i]
        s[i] += gi * gi
        d.append(-clr * gi / (math.sqrt(s[i]) + eps))
    return d


def rmsprop(p, g, t, hp, st):
    lr, a, eps, wd, mu, c = hp["lr"], hp.get("alpha", 0.99), hp.get("eps", 1e-8), hp.get("weight_decay", 0), hp.get("momentum", 0), hp.get("centered", 0)
    v = st.setdefault("v", [0.0, 0.0]); ga = st.setdefault("ga", [0.0, 0.0]); b = st.setdefault("b", [0.0, 0.0])
    d = []
    for i in range(2):
        gi = g[i] + wd * p[i]
        v[i] = a * v[i] + (1 - a) * gi * gi
        vt = v[i]
        if c:
            ga[i] = a * ga[i] + (1 - a) * gi
            vt = vt - ga[i] ** 2
        if mu > 0:
            b[i] = mu * b[i] + gi / (math.sqrt(vt) + eps)
            d.append(-lr * b[i])
        else:
            d.append(-lr * gi / (math.sqrt(vt) + eps))
    return d


def adadelta(p, g, t, hp, st):
    lr, rho, eps, wd = hp["lr"], hp.get("rho", 0.9), hp.get("eps", 1e-6), hp.get("weight_decay", 0)
    v = st.setdefault("v", [0.0, 0.0]); u = st.setdefault("u", [0.0, 0.0])
    d = []
    for i in range(2):
        gi = g[i] + wd * p[i]
        v[i] = rho * v[i] + (1 - rho) * gi * gi
        dx = math.sqrt(u[i] + eps) / math.sqrt(v[i] + eps) * gi
        u[i] = rho * u[i] + (1 - rho) * dx * dx
        d.append(-lr * dx)
    return d


def adam(p, g, t, hp, st, decoupled=False, force_ams=False):
    lr, b1, b2, eps = hp["lr"], hp.get("beta1", 0.9), hp.get("beta2", 0.999), hp.get("eps", 1e-8)
    wd = hp.get("weight_decay", 0.01 if decoupled else 0.0)
    ams = force_ams or hp.get("amsgrad", 0)
    m = st.setdefault("m", [0.0, 0.0]); v = st.setdefault("v", [0.0, 0.0]); vm = st.setdefault("vm", [0.0, 0.0])
    d = []
    for i in range(2):
        gi = g[i] if decoupled else g[i] + wd * p[i]
        m[i] = b1 * m[i] + (1 - b1) * gi
        v[i] = b2 * v[i] + (1 - b2) * gi * gi
        mhat = m[i] / (1 - b1 ** t)
        if ams:
            vm[i] = max(vm[i], v[i])
            vhat = vm[i] / (1 - b2 ** t)
        else:
            vhat = v[i] / (1 - b2 ** t)
        step = lr * mhat / (math.sqrt(vhat) + eps)
        d.append(-step - (lr * wd * p[i] if decoupled else 0.0))
    return d


def nadam(p, g, t, hp, st):
    lr, b1, b2, eps, wd, psi, dec = hp["lr"], hp.get("beta1", 0.9), hp.get("beta2", 0.999), hp.get("eps", 1e-8), hp.get("weight_decay", 0), hp.get("momentum_decay", 4e-3), hp.get("decoupled_weight_decay", 0)
    m = st.setdefault("m", [0.0, 0.0]); v = st.setdefault("v", [0.0, 0.0])
    mu = lambda k: b1 * (1 - 0.5 * 0.96 ** (k * psi))
    prod_t = 1.0
    for k in range(1, t + 1):
        prod_t *= mu(k)
    prod_next = prod_t * mu(t + 1)
    d = []
    for i in range(2):
        gi = g[i] if dec else g[i] + wd * p[i]
        m[i] = b1 * m[i] + (1 - b1) * gi
        v[i] = b2 * v[i] + (1 - b2) * gi * gi
        mhat = mu(t + 1) * m[i] / (1 - prod_next) + (1 - mu(t)) * gi / (1 - prod_t)
        vhat = v[i] / (1 - b2 ** t)
        d.append(-lr * mhat / (math.sqrt(vhat) + eps) - (lr * wd * p[i] if dec else 0.0))
    return d


def radam(p, g, t, hp, st):
    lr, b1, b2, eps, wd, dec = hp["lr"], hp.get("beta1", 0.9), hp.get("beta2", 0.999), hp.get("eps", 1e-8), hp.get("weight_decay", 0), hp.get("decoupled_weight_decay", 0)
    m = st.setdefault("m", [0.0, 0.0]); v = st.setdefault("v", [0.0, 0.0])
    rinf = 2 / (1 - b2) - 1
    rt = rinf - 2 * t * b2 ** t / (1 - b2 ** t)
    d = []
    for i in range(2):
        gi = g[i] if dec else g[i] + wd * p[i]
        m[i] = b1 * m[i] + (1 - b1) * gi
        v[i] = b2 * v[i] + (1 - b2) * gi * gi
        mhat = m[i] / (1 - b1 ** t)
        if rt > 5:
            l = math.sqrt(1 - b2 ** t) / (math.sqrt(v[i]) + eps)
            r = math.sqrt((rt - 4) * (rt - 2) * rinf / ((rinf - 4) * (rinf - 2) * rt))
            step = lr * mhat * r * l
        else:
            step = lr * mhat
        d.append(-step - (lr * wd * p[i] if dec else 0.0))
    return d


def lion(p, g, t, hp, st):
    lr, b1, b2, wd = hp["lr"], hp.get("beta1", 0.9), hp.get("beta2", 0.99), hp.get("weight_decay", 0)
    m = st.setdefault("m", [0.0, 0.0])
    d = []
    for i in range(2):
        c = b1 * m[i] + (1 - b1) * g[i]
        sign = (c > 0) - (c < 0)
        d.append(-lr * (sign + wd * p[i]))
        m[i] = b2 * m[i] + (1 - b2) * g[i]
    return d


def f(p):
    x, y = p
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def newton(p, g, t, hp, st):
    lr, lam = hp["lr"], hp.get("damping", 0.0)
    H = hess(p)
    if hp.get("saddle_free", 1):
        a, b, c = H[0][0], H[0][1], H[1][1]
        mean, r = (a + c) / 2, math.hypot((a - c) / 2, b)
        px = py = 0.0
        largest = max(abs(mean - r), abs(mean + r))
        for l in (mean - r, mean + r):
            # The eigenvector of l: (b, l - a), or (l - c, b) when that one is zero.
            v = (b, l - a) if abs(b) + abs(l - a) > abs(l - c) + abs(b) else (l - c, b)
            n = math.hypot(*v)
            v = (v[0] / n, v[1] / n)
            s = (v[0] * g[0] + v[1] * g[1]) / (max(abs(l), 1e-8 * largest) + lam)
            px += s * v[0]
            py += s * v[1]
    else:
        beta = 1e-3
        mind = min(H[0][0], H[1][1])
        tau = lam if mind > 0 else lam - mind + beta
        while True:
            a, b, c = H[0][0] + tau, H[0][1], H[1][1] + tau
            if a > 0 and a * c - b * b > 0:
                break
            tau = max(2 * tau, beta)
        det = a * c - b * b
        px = (c * g[0] - b * g[1]) / det
        py = (a * g[1] - b * g[0]) / det
    alpha = lr
    if hp.get("line_search", 1):
        slope = g[0] * px + g[1] * py
        for _ in range(50):
            if f([p[0] - alpha * px, p[1] - alpha * py]) <= f(p) - 1e-4 * alpha * slope:
                break
            alpha /= 2
        else:
            alpha = 0.0
    return [-alpha * px, -alpha * py]


def lbfgs(p, g, t, hp, st):
    lr, m = hp["lr"], int(hp.get("history_size", 100))
    pairs = st.setdefault("pairs", [])
    if t > 1:
        s = st["s"]; y = [g[i] - st["g"][i] for i in range(2)]
        ys = y[0] * s[0] + y[1] * s[1]
        if ys > 1e-10:
            pairs.append((s, y))
            if len(pairs) > m:
                pairs.pop(0)
    q = [-g[0], -g[1]]
    alphas = []
    for s, y in reversed(pairs):
        rho = 1 / (y[0] * s[0] + y[1] * s[1])
        a = rho * (s[0] * q[0] + s[1] * q[1])
        alphas.append(a)
        q = [q[i] - a * y[i] for i in range(2)]
    if pairs:
        s, y = pairs[-1]
        h0 = (s[0] * y[0] + s[1] * y[1]) / (y[0] * y[0] + y[1] * y[1])
        q = [h0 * v for v in q]
    for (s, y), a in zip(pairs, reversed(alphas)):
        rho = 1 / (y[0] * s[0] + y[1] * s[1])
        b = rho * (y[0] * q[0] + y[1] * q[1])
        q = [q[i] + (a - b) * s[i] for i in range(2)]
    step = lr * min(1.0, 1.0 / (abs(g[0]) + abs(g[1]))) if t == 1 else lr
    d = [step * q[0], step * q[1]]
    st["s"] = d[:]
    st["g"] = g[:]
    return d


CASES = [
    ("gd", {"lr": 1e-3}, sgd),
    ("gd", {"lr": 1e-3, "weight_decay": 0.1}, sgd),
    ("momentum", {"lr": 1e-3, "momentum": 0.9}, sgd),
    ("momentum", {"lr": 1e-3, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.05}, sgd),
    ("momentum", {"lr": 1e-3, "momentum": 0.9, "nesterov": 1}, sgd),
    ("nesterov", {"lr": 1e-3, "momentum": 0.9, "weight_decay": 0.01, "nesterov": 1}, sgd),
    ("adagrad", {"lr": 0.1}, adagrad),
    ("adagrad", {"lr": 0.1, "lr_decay": 0.5, "initial_accumulator_value": 0.1, "weight_decay": 0.1, "eps": 1e-3}, adagrad),
    ("rmsprop", {"lr": 0.01}, rmsprop),
    ("rmsprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": 1, "weight_decay": 0.1, "eps": 1e-4}, rmsprop),
    ("adadelta", {"lr": 1.0}, adadelta),
    ("adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-3, "weight_decay": 0.1}, adadelta),
    ("adam", {"lr": 0.1}, adam),
    ("adam", {"lr": 0.1, "beta1": 0.8, "beta2": 0.9, "eps": 1e-3, "weight_decay": 0.1, "amsgrad": 1}, adam),
    ("adamw", {"lr": 0.1}, lambda p, g, t, hp, st: adam(p, g, t, hp, st, decoupled=True)),
    ("adamw", {"lr": 0.1, "weight_decay": 0.5, "amsgrad": 1}, lambda p, g, t, hp, st: adam(p, g, t, hp, st, decoupled=True)),
    ("amsgrad", {"lr": 0.1}, lambda p, g, t, hp, st: adam(p, g, t, hp, st, force_ams=True)),
    ("nadam", {"lr": 0.1}, nadam),
    ("nadam", {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": 1, "momentum_decay": 0.01}, nadam),
    ("radam", {"lr": 1e-3}, radam),
    ("radam", {"lr": 1e-3, "beta2": 0.9, "weight_decay": 0.1, "decoupled_weight_decay": 1}, radam),
    ("lion", {"lr": 0.01}, lion),
    ("lion", {"lr": 0.01, "beta1": 0.5, "beta2": 0.9, "weight_decay": 0.5}, lion),
    ("newton", {"lr": 1.0, "saddle_free": 0, "line_search": 0}, newton),
    ("newton", {"lr": 0.5, "damping": 10.0, "saddle_free": 0, "line_search": 0}, newton),
    ("newton", {"lr": 1.0}, newton),
    ("newton", {"lr": 1.0, "line_search": 0}, newton),
    ("newton", {"lr": 0.5, "damping": 10.0, "line_search": 0}, newton),
    ("lbfgs", {"lr": 1.0, "line_search": 0}, lbfgs),
    ("lbfgs", {"lr": 0.5, "line_search": 0, "history_size": 2}, lbfgs),
]

out = []
for name, hp, fn in CASES:
    hp_out = {k: v for k, v in hp.items() if not (name == "nesterov" and k == "nesterov")}
    out.append({"optimizer": name, "hp": hp_out, "start": list(START), "points": run(fn, hp)})
print(json.dumps({"problem": "rosenbrock a=1 b=100", "source": "tools/golden_steps.py", "cases": out}, indent=1))
