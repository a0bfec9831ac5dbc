//! An orbit camera: yaw and pitch about a target point, a distance, and a perspective lens.
//! World coordinates are the mesh box's: x and y across the surface, z up.

use nalgebra::{Matrix4, Perspective3, Point3, Vector3};
use serde::{Deserialize, Serialize};

/// The lowest and highest pitch, in radians: from just below the floor to straight down.
pub const PITCH_RANGE: (f64, f64) = (-0.35, 1.55);

/// The nearest and farthest orbit distance.
pub const DISTANCE_RANGE: (f64, f64) = (0.6, 20.0);

/// Where the camera is: on a sphere of radius `distance` around `target`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrbitCamera {
    /// Angle about the z axis, radians; 0 puts the eye on the +x side.
    pub yaw: f64,
    /// Elevation above the xy plane, radians.
    pub pitch: f64,
    /// Distance from the eye to the target.
    pub distance: f64,
    /// The point looked at and orbited around.
    pub target: [f64; 3],
    /// Vertical field of view, radians.
    pub fov_y: f64,
}

impl Default for OrbitCamera {
    /// Looking from the front left, a little above: the view of a surface in a textbook.
    fn default() -> Self {
        Self {
            yaw: -2.1,
            pitch: 0.8,
            distance: 3.9,
            target: [0.0, 0.0, 0.2],
            fov_y: 35f64.to_radians(),
        }
    }
}

impl OrbitCamera {
    /// The camera with every field usable (for values read from a file): finite angles, a
    /// pitch short of the poles, a positive distance and a sensible field of view; anything
    /// else falls back to the default's value.
    pub fn sanitized(self) -> Self {
        let d = Self::default();
        let or = |v: f64, ok: bool, fallback: f64| if v.is_finite() && ok { v } else { fallback };
        Self {
            yaw: or(self.yaw, true, d.yaw),
            pitch: or(self.pitch, self.pitch.abs() < 1.55, d.pitch),
            distance: or(
                self.distance,
                self.distance > 1e-3 && self.distance < 1e3,
                d.distance,
            ),
            target: if self.target.iter().all(|v| v.is_finite() && v.abs() < 1e3) {
                self.target
            } else {
                d.target
            },
            fov_y: or(self.fov_y, self.fov_y > 0.05 && self.fov_y < 3.0, d.fov_y),
        }
    }

    /// The eye position.
    pub fn eye(&self) -> Point3<f64> {
        let (sy, cy) = self.yaw.sin_cos();
        let (sp, cp) = self.pitch.sin_cos();
        Point3::from(self.target) + self.distance * Vector3::new(cp * cy, cp * sy, sp)
    }

    /// The unit vectors (right, up, forward) of the camera in world coordinates.
    pub fn basis(&self) -> [Vector3<f64>; 3] {
        let forward = (Point3::from(self.target) - self.eye()).normalize();
        let right = forward.cross(&Vector3::z()).normalize();
        let up = right.cross(&forward);
        [right, up, forward]
    }

    /// World → clip coordinates for a viewport of the given aspect ratio (width / height).
    pub fn view_projection(&self, aspect: f64) -> Matrix4<f64> {
        let [right, up, forward] = self.basis();
        let eye = self.eye().coords;
        // The look-at matrix written out from the basis, so that straight down (pitch 90°)
        // has no degenerate up vector: `right` comes from the yaw alone.
        #[rustfmt::skip]
        let view = Matrix4::new(
            right.x, right.y, right.z, -right.dot(&eye),
            up.x, up.y, up.z, -up.dot(&eye),
            -forward.x, -forward.y, -forward.z, forward.dot(&eye),
            0.0, 0.0, 0.0, 1.0,
        );
        let (near, far) = self.clip_planes();
        let aspect = aspect.max(1e-3);
        Perspective3::new(aspect, self.fov_y_at(aspect), near, far).to_homogeneous() * view
    }

    /// The vertical field of view used in a viewport of `aspect` (width / height): `fov_y`,
    /// widened in narrow viewports so that the horizontal view never shrinks below what a
    /// 4:3 viewport shows.
    pub fn fov_y_at(&self, aspect: f64) -> f64 {
        const NARROWEST: f64 = 4.0 / 3.0;
        if aspect >= NARROWEST {
            self.fov_y
        } else {
            2.0 * ((self.fov_y / 2.0).tan() * NARROWEST / aspect.max(1e-3)).atan()
        }
    }

    /// The near and far clipping distances: everything in the mesh box stays between them.
    pub fn clip_planes(&self) -> (f64, f64) {
        (0.02 * self.distance, self.distance + 10.0)
    }

    /// The screen position (pixels from the top left) and depth in [0, 1] of world point `p`
    /// in a viewport of `size` pixels; `None` when `p` is behind the near plane.
    pub fn project(&self, p: [f64; 3], size: [f64; 2]) -> Option<[f64; 3]> {
        project_with(&self.view_projection(size[0] / size[1]), p, size)
    }

    /// The world point at screen position (x, y) and depth in [0, 1]: the inverse of
    /// [`OrbitCamera::project`].
    pub fn unproject(&self, screen: [f64; 3], size: [f64; 2]) -> Option<[f64; 3]> {
        let inverse = self.view_projection(size[0] / size[1]).try_inverse()?;
        let ndc = nalgebra::Vector4::new(
            2.0 * screen[0] / size[0] - 1.0,
            1.0 - 2.0 * screen[1] / size[1],
            2.0 * screen[2] - 1.0,
            1.0,
        );
        let w = inverse * ndc;
        (w.w.abs() > f64::MIN_POSITIVE).then(|| [w.x / w.w, w.y / w.w, w.z / w.w])
    }

    /// Turns the camera about the target by `yaw` and `pitch` radians (pitch kept in range).
    pub fn orbit(&mut self, yaw: f64, pitch: f64) {
        self.yaw = (self.yaw + yaw).rem_euclid(std::f64::consts::TAU);
        self.pitch = (self.pitch + pitch).clamp(PITCH_RANGE.0, PITCH_RANGE.1);
    }

    /// Moves the eye towards the target (`factor` < 1) or away from it (> 1).
    pub fn zoom(&mut self, factor: f64) {
        if factor.is_finite() && factor > 0.0 {
            self.distance = (self.distance * factor).clamp(DISTANCE_RANGE.0, DISTANCE_RANGE.1);
        }
    }

    /// Slides the target in the screen plane so that what is under the cursor follows a drag
    /// of (dx, dy) pixels in a viewport of `size` pixels.
    pub fn pan(&mut self, dx: f64, dy: f64, size: [f64; 2]) {
        let height = size[1].max(1.0);
        let fov = self.fov_y_at(size[0] / height);
        let per_pixel = 2.0 * self.distance * (fov / 2.0).tan() / height;
        let [right, up, _] = self.basis();
        let shift = (-dx * right + dy * up) * per_pixel;
        for (t, s) in self.target.iter_mut().zip(shift.iter()) {
            *t = (*t + s).clamp(-3.0, 3.0);
        }
    }
}

/// Projects `p` with a view-projection matrix into a viewport of `size` pixels.
pub fn project_with(vp: &Matrix4<f64>, p: [f64; 3], size: [f64; 2]) -> Option<[f64; 3]> {
    let c = vp * nalgebra::Vector4::new(p[0], p[1], p[2], 1.0);
    if c.w <= 1e-9 {
        return None;
    }
    let (x, y, z) = (c.x / c.w, c.y / c.w, c.z / c.w);
    Some([
        (x + 1.0) * 0.5 * size[0],
        (1.0 - y) * 0.5 * size[1],
        (z + 1.0) * 0.5,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIZE: [f64; 2] = [800.0, 600.0];

    fn close(a: [f64; 3], b: [f64; 3], tol: f64) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol)
    }

    #[test]
    fn project_then_unproject_returns_the_point() {
        let mut camera = OrbitCamera::default();
        for (yaw, pitch) in [
            (0.0, 0.0),
            (0.7, 0.3),
            (2.0, 1.0),
            (-1.0, -0.3),
            (0.0, 1.55),
        ] {
            camera.yaw = yaw;
            camera.pitch = pitch;
            for p in [
                [0.0, 0.0, 0.0],
                [0.5, -0.3, 0.4],
                [-1.0, 1.0, 0.0],
                [0.9, 0.9, 0.8],
            ] {
                let s = camera.project(p, SIZE).expect("in front of the camera");
                let back = camera.unproject(s, SIZE).expect("invertible");
                assert!(close(back, p, 1e-6), "{p:?} → {s:?} → {back:?}");
            }
        }
    }

    #[test]
    fn the_target_is_at_the_centre_and_nearer_is_shallower() {
        let camera = OrbitCamera::default();
        let centre = camera.project(camera.target, SIZE).unwrap();
        assert!(close(centre, [400.0, 300.0, centre[2]], 1e-9));
        let eye = camera.eye();
        let toward = |k: f64| {
            let t = Point3::from(camera.target);
            let p = t + (eye - t) * k;
            camera.project([p.x, p.y, p.z], SIZE).unwrap()[2]
        };
        assert!(toward(0.5) < toward(0.0) && toward(0.0) < toward(-0.5));
        // Behind the eye is not drawable.
        let behind = eye + (eye - Point3::from(camera.target));
        assert!(
            camera
                .project([behind.x, behind.y, behind.z], SIZE)
                .is_none()
        );
    }

    #[test]
    fn world_up_is_screen_up_and_orbit_keeps_the_pitch_in_range() {
        let mut camera = OrbitCamera::default();
        let low = camera.project([0.0, 0.0, 0.0], SIZE).unwrap();
        let high = camera.project([0.0, 0.0, 0.5], SIZE).unwrap();
        assert!(high[1] < low[1], "z up draws higher on screen");
        camera.orbit(0.0, 10.0);
        assert_eq!(camera.pitch, PITCH_RANGE.1);
        camera.orbit(0.0, -10.0);
        assert_eq!(camera.pitch, PITCH_RANGE.0);
        camera.zoom(1e-9);
        assert_eq!(camera.distance, DISTANCE_RANGE.0);
        camera.zoom(f64::NAN);
        assert_eq!(camera.distance, DISTANCE_RANGE.0);
    }

    #[test]
    fn a_narrow_viewport_widens_the_vertical_view() {
        let camera = OrbitCamera::default();
        assert_eq!(camera.fov_y_at(16.0 / 9.0), camera.fov_y);
        assert!(camera.fov_y_at(0.8) > camera.fov_y);
        // The horizontal half-angle at 0.8 equals the one at 4:3.
        let half_h = |aspect: f64| ((camera.fov_y_at(aspect) / 2.0).tan() * aspect).atan();
        assert!((half_h(0.8) - half_h(4.0 / 3.0)).abs() < 1e-12);
    }

    #[test]
    fn panning_moves_the_target_with_the_cursor() {
        let mut camera = OrbitCamera::default();
        let before = camera.project([0.0, 0.0, 0.25], SIZE).unwrap();
        camera.pan(40.0, 0.0, SIZE);
        let after = camera.project([0.0, 0.0, 0.25], SIZE).unwrap();
        assert!(
            (after[0] - before[0] - 40.0).abs() < 1.0,
            "{before:?} {after:?}"
        );
    }
}
