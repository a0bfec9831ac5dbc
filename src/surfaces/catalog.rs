//! What each surface is: its name, formula, lesson, view window, start points and known
//! stationary points.

use crate::optim::hyper::{HyperKind, HyperSpec};

/// A rectangle of the plane: the default window a surface is shown in.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct View {
    /// x range (min, max).
    pub x: (f64, f64),
    /// y range (min, max).
    pub y: (f64, f64),
}

/// What kind of stationary point a known point is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PointKind {
    /// A global minimum.
    Global,
    /// A local (not global) minimum.
    Local,
    /// A saddle point.
    Saddle,
    /// A local maximum (found on typed functions).
    Maximum,
}

/// The fixed description of one surface.
#[derive(Clone, Copy, Debug)]
pub struct SurfaceInfo {
    /// Stable lower-case name for the command line and files.
    pub name: &'static str,
    /// Display name.
    pub title: &'static str,
    /// The formula as text.
    pub formula: &'static str,
    /// The same function in the formula language (`downhill run --function`), with the same
    /// parameter names.
    pub typed: &'static str,
    /// One sentence on what it teaches.
    pub lesson: &'static str,
    /// Adjustable parameters.
    pub params: &'static [HyperSpec],
    /// Default view window.
    pub view: View,
    /// Suggested start points, the first being the default.
    pub starts: &'static [[f64; 2]],
    /// Known stationary points (for parameterised surfaces, at the default parameters).
    pub points: &'static [(f64, f64, PointKind)],
    /// Whether the list of minima is complete within the view (false for surfaces with a
    /// forest of local minima, where only the global ones are listed).
    pub complete: bool,
}

/// A parameter of a surface.
const fn param(
    name: &'static str,
    default: f64,
    min: f64,
    max: f64,
    log_scale: bool,
    meaning: &'static str,
) -> HyperSpec {
    HyperSpec {
        name,
        default,
        min,
        min_open: false,
        max,
        max_open: false,
        kind: HyperKind::Real,
        log_scale,
        slider: (min, max),
        meaning,
    }
}

const fn view(x0: f64, x1: f64, y0: f64, y1: f64) -> View {
    View {
        x: (x0, x1),
        y: (y0, y1),
    }
}

use PointKind::{Global, Local, Saddle};

/// All surfaces, in the order they are listed.
pub const SURFACES: [SurfaceInfo; 16] = [
    SurfaceInfo {
        name: "rosenbrock",
        title: "Rosenbrock",
        formula: "f(x, y) = (a − x)² + b·(y − x²)²",
        typed: "(a - x)^2 + b*(y - x^2)^2",
        lesson: "A long, curved, flat-bottomed valley: reaching it is easy, following it to the minimum at (a, a²) is slow without momentum or curvature.",
        params: &[
            param(
                "a",
                1.0,
                -2.0,
                2.0,
                false,
                "a: the minimum sits at (a, a²).",
            ),
            param(
                "b",
                100.0,
                1e-2,
                1e4,
                true,
                "b: how steep the valley walls are.",
            ),
        ],
        view: view(-2.0, 2.0, -1.0, 3.0),
        starts: &[[-1.2, 1.0], [-1.5, 2.5], [1.5, -0.5]],
        points: &[(1.0, 1.0, Global)],
        complete: true,
    },
    SurfaceInfo {
        name: "beale",
        title: "Beale",
        formula: "f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
        typed: "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
        lesson: "Flat arms and steep ridges around the minimum at (3, 0.5): gradient scales differ by orders of magnitude, which adaptive methods absorb and plain GD does not.",
        params: &[],
        view: view(-4.5, 4.5, -4.5, 4.5),
        starts: &[[1.0, 1.5], [-2.0, 2.0], [2.5, -1.5]],
        points: &[
            (3.0, 0.5, Global),
            (0.0, 1.0, Saddle),
            (0.100_537_937_324, -2.644_513_585_023, Saddle),
        ],
        complete: true,
    },
    SurfaceInfo {
        name: "himmelblau",
        title: "Himmelblau",
        formula: "f(x, y) = (x² + y − 11)² + (x + y² − 7)²",
        typed: "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        lesson: "Four equally deep minima: where you start decides where you end.",
        params: &[],
        view: view(-5.0, 5.0, -5.0, 5.0),
        starts: &[[0.0, 0.0], [-4.0, 0.0], [1.0, -4.5]],
        points: &[
            (3.0, 2.0, Global),
            (-2.805_118_086_953, 3.131_312_518_251, Global),
            (-3.779_310_253_378, -3.283_185_991_286, Global),
            (3.584_428_340_330, -1.848_126_526_964, Global),
            (3.385_154_183_607, 0.073_851_879_838, Saddle),
            (0.086_677_504_555, 2.884_254_701_175, Saddle),
            (-3.073_025_750_764, -0.081_353_044_288, Saddle),
            (-0.127_961_346_731, -1.953_714_980_245, Saddle),
        ],
        complete: true,
    },
    SurfaceInfo {
        name: "booth",
        title: "Booth",
        formula: "f(x, y) = (x + 2y − 7)² + (2x + y − 5)²",
        typed: "(x + 2*y - 7)^2 + (2*x + y - 5)^2",
        lesson: "A tilted, moderately conditioned bowl: every method should succeed here, a sanity check.",
        params: &[],
        view: view(-10.0, 10.0, -10.0, 10.0),
        starts: &[[-8.0, -6.0], [8.0, 8.0]],
        points: &[(1.0, 3.0, Global)],
        complete: true,
    },
    SurfaceInfo {
        name: "matyas",
        title: "Matyas",
        formula: "f(x, y) = 0.26·(x² + y²) − 0.48·xy",
        typed: "0.26*(x^2 + y^2) - 0.48*x*y",
        lesson: "A plate almost flat along the diagonal: tiny gradients make progress slow even on a convex function.",
        params: &[],
        view: view(-10.0, 10.0, -10.0, 10.0),
        starts: &[[8.0, 5.0], [-7.0, 3.0]],
        points: &[(0.0, 0.0, Global)],
        complete: true,
    },
    SurfaceInfo {
        name: "three-hump-camel",
        title: "Three-hump camel",
        formula: "f(x, y) = 2x² − 1.05x⁴ + x⁶/6 + xy + y²",
        typed: "2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2",
        lesson: "A global minimum between two shallower local ones: a first taste of local minima.",
        params: &[],
        view: view(-2.5, 2.5, -2.5, 2.5),
        starts: &[[2.2, -1.8], [-1.4, 2.0]],
        points: &[
            (0.0, 0.0, Global),
            (-1.747_552_345_830, 0.873_776_172_915, Local),
            (1.747_552_345_830, -0.873_776_172_915, Local),
            (-1.070_542_291_824, 0.535_271_145_912, Saddle),
            (1.070_542_291_824, -0.535_271_145_912, Saddle),
        ],
        complete: true,
    },
    SurfaceInfo {
        name: "six-hump-camel",
        title: "Six-hump camel",
        formula: "f(x, y) = (4 − 2.1x² + x⁴/3)·x² + xy + (4y² − 4)·y²",
        typed: "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (4*y^2 - 4)*y^2",
        lesson: "Six minima, two of them global, with saddles between them: which one you reach depends on the path, not just the start.",
        params: &[],
        view: view(-2.2, 2.2, -1.2, 1.2),
        starts: &[[-1.9, -1.1], [1.9, 1.1], [0.5, 0.05]],
        points: &[
            (0.089_842_013_100, -0.712_656_403_021, Global),
            (-0.089_842_013_100, 0.712_656_403_021, Global),
            (-1.703_606_714_970, 0.796_083_568_673, Local),
            (1.703_606_714_970, -0.796_083_568_673, Local),
            (-1.607_104_752_920, -0.568_651_454_884, Local),
            (1.607_104_752_920, 0.568_651_454_884, Local),
            (0.0, 0.0, Saddle),
            (-1.109_205_336_805, 0.768_268_092_510, Saddle),
            (1.109_205_336_805, -0.768_268_092_510, Saddle),
            (1.638_067_984_190, 0.228_674_069_044, Saddle),
            (-1.638_067_984_190, -0.228_674_069_044, Saddle),
            (1.296_070_267_167, 0.605_084_388_039, Saddle),
            (-1.296_070_267_167, -0.605_084_388_039, Saddle),
        ],
        complete: true,
    },
    SurfaceInfo {
        name: "goldstein-price",
        title: "Goldstein–Price",
        formula: "f(x, y) = [1 + (x + y + 1)²(19 − 14x + 3x² − 14y + 6xy + 3y²)] · [30 + (2x − 3y)²(18 − 32x + 12x² + 48y − 36xy + 27y²)]",
        typed: "(1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2))*(30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))",
        lesson: "Values spanning six orders of magnitude: a learning rate that is safe in one place explodes in another (colour it on a log scale).",
        params: &[],
        view: view(-2.0, 2.0, -2.0, 2.0),
        starts: &[[-1.0, 1.0], [1.5, 1.5], [0.5, -1.5]],
        points: &[
            (0.0, -1.0, Global),
            (-0.6, -0.4, Local),
            (1.8, 0.2, Local),
            (1.2, 0.8, Local),
            (-0.4, -0.6, Saddle),
            (1.2, -0.2, Saddle),
            (1.4, 0.6, Saddle),
            (0.6, 0.4, Saddle),
        ],
        complete: true,
    },
    SurfaceInfo {
        name: "rastrigin",
        title: "Rastrigin",
        formula: "f(x, y) = 20 + x² − 10·cos(2πx) + y² − 10·cos(2πy)",
        typed: "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)",
        lesson: "A bowl covered in regular bumps: a forest of local minima that traps gradient methods, which noise and momentum can hop over.",
        params: &[],
        view: view(-5.12, 5.12, -5.12, 5.12),
        starts: &[[2.7, 2.2], [-4.2, 4.5]],
        points: &[(0.0, 0.0, Global)],
        complete: false,
    },
    SurfaceInfo {
        name: "ackley",
        title: "Ackley",
        formula: "f(x, y) = −20·exp(−0.2·√(½(x² + y²))) − exp(½(cos 2πx + cos 2πy)) + e + 20",
        typed: "-20*exp(-0.2*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(2*pi*x) + cos(2*pi*y))) + e + 20",
        lesson: "A nearly flat, rippled outer region around a deep funnel: far out, the gradient says little about where the minimum is.",
        params: &[],
        view: view(-5.0, 5.0, -5.0, 5.0),
        starts: &[[3.2, 2.8], [-4.0, -1.5]],
        points: &[(0.0, 0.0, Global)],
        complete: false,
    },
    SurfaceInfo {
        name: "styblinski-tang",
        title: "Styblinski–Tang",
        formula: "f(x, y) = ½·(x⁴ − 16x² + 5x + y⁴ − 16y² + 5y)",
        typed: "0.5*(x^4 - 16*x^2 + 5*x + y^4 - 16*y^2 + 5*y)",
        lesson: "Four minima of different depths: gradient descent goes to the nearest basin, not the deepest.",
        params: &[],
        view: view(-5.0, 5.0, -5.0, 5.0),
        starts: &[[0.5, 0.5], [-0.5, 4.5], [4.5, -4.5]],
        points: &[
            (-2.903_534_027_771, -2.903_534_027_771, Global),
            (-2.903_534_027_771, 2.746_802_770_991, Local),
            (2.746_802_770_991, -2.903_534_027_771, Local),
            (2.746_802_770_991, 2.746_802_770_991, Local),
            (-2.903_534_027_771, 0.156_731_256_780, Saddle),
            (0.156_731_256_780, -2.903_534_027_771, Saddle),
            (2.746_802_770_991, 0.156_731_256_780, Saddle),
            (0.156_731_256_780, 2.746_802_770_991, Saddle),
        ],
        complete: true,
    },
    SurfaceInfo {
        name: "levy13",
        title: "Lévy N.13",
        formula: "f(x, y) = sin²(3πx) + (x − 1)²·(1 + sin²(3πy)) + (y − 1)²·(1 + sin²(2πy))",
        typed: "sin(3*pi*x)^2 + (x - 1)^2*(1 + sin(3*pi*y)^2) + (y - 1)^2*(1 + sin(2*pi*y)^2)",
        lesson: "Ripples along both axes over a valley: many local minima close to the global one at (1, 1).",
        params: &[],
        view: view(-4.0, 6.0, -4.0, 6.0),
        starts: &[[-3.0, 4.0], [4.0, -2.5]],
        points: &[(1.0, 1.0, Global)],
        complete: false,
    },
    SurfaceInfo {
        name: "saddle",
        title: "Saddle",
        formula: "f(x, y) = x² − y²",
        typed: "x^2 - y^2",
        lesson: "The gradient vanishes at the origin, yet it is no minimum: started exactly on the ridge GD converges to the saddle, a little noise or momentum escapes it.",
        params: &[],
        view: view(-2.0, 2.0, -2.0, 2.0),
        starts: &[[-1.8, 0.01], [-1.8, 0.0], [1.5, -0.5]],
        points: &[(0.0, 0.0, Saddle)],
        complete: true,
    },
    SurfaceInfo {
        name: "monkey-saddle",
        title: "Monkey saddle",
        formula: "f(x, y) = x³ − 3xy²",
        typed: "x^3 - 3*x*y^2",
        lesson: "A flat saddle with three downhill valleys, where gradient and Hessian both vanish: second-order methods see nothing there.",
        params: &[],
        view: view(-2.0, 2.0, -2.0, 2.0),
        starts: &[[1.5, 0.2], [1.2, -1.0]],
        points: &[(0.0, 0.0, Saddle)],
        complete: true,
    },
    SurfaceInfo {
        name: "quadratic",
        title: "Ill-conditioned quadratic",
        formula: "f(x, y) = ½·(u² + κ·v²), with (u, v) = (x, y) rotated by −θ",
        typed: "0.5*((cos(angle*pi/180)*x + sin(angle*pi/180)*y)^2 + condition*(cos(angle*pi/180)*y - sin(angle*pi/180)*x)^2)",
        lesson: "An elongated bowl: GD needs γ < 2/λ_max = 2/κ to stay stable and then crawls along the flat direction; adaptive and second-order methods do not.",
        params: &[
            param(
                "condition",
                10.0,
                1.0,
                1e4,
                true,
                "Condition number κ = λ_max/λ_min of A.",
            ),
            param(
                "angle",
                30.0,
                -90.0,
                90.0,
                false,
                "Rotation θ of the bowl's axes, in degrees.",
            ),
        ],
        view: view(-5.0, 5.0, -5.0, 5.0),
        starts: &[[-4.0, 3.0], [4.0, 1.0]],
        points: &[(0.0, 0.0, Global)],
        complete: true,
    },
    SurfaceInfo {
        name: "plateau-cliff",
        title: "Plateau and cliff",
        formula: "f(x, y) = 1 − exp(−(x² + y²)/2) + 5·σ(20·(x − 2.5)),  σ(u) = 1/(1 + exp(−u))",
        typed: "1 - exp(-(x^2 + y^2)/2) + 5*sigmoid(20*(x - 2.5))",
        lesson: "A plateau where gradients vanish and a cliff where they explode: one step off the cliff throws you far away, unless gradients are clipped.",
        params: &[],
        view: view(-6.0, 6.0, -4.0, 4.0),
        starts: &[[4.0, 1.0], [-4.5, 2.5]],
        points: &[(0.0, 0.0, Global)],
        complete: true,
    },
];
