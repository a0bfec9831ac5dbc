//! The seed clouds on show: each racer with "many seeds" run again under other seeds up to the
//! step on show, set up by the race ([`Race::seed_cloud`]), kept until the racer, the surface
//! or its start change, and stepped further only as the race's cursor moves past them.

use crate::race::{Race, RacerSpec, SeedCloud, Shared};
use crate::surfaces::Surface;

/// What one cloud was computed for.
#[derive(Clone, Debug, PartialEq)]
struct Key {
    spec: RacerSpec,
    shared: Shared,
    surface: Surface,
    start: [f64; 2],
}

/// The clouds, by racer index.
#[derive(Default)]
pub struct Clouds {
    entries: Vec<Option<(Key, SeedCloud)>>,
    /// The step on show.
    cursor: u64,
}

impl Clouds {
    /// Brings every racer's cloud up to date with the race at its cursor.
    pub fn update(&mut self, race: &Race) {
        self.entries.resize_with(race.lanes().len(), || None);
        self.cursor = race.cursor();
        for (i, lane) in race.lanes().iter().enumerate() {
            if lane.spec.seeds == 0 || !lane.spec.enabled {
                self.entries[i] = None;
                continue;
            }
            let key = Key {
                spec: lane.spec.clone(),
                shared: *race.shared(),
                surface: race.surface().clone(),
                start: race.racer_start(i),
            };
            if !self.entries[i].as_ref().is_some_and(|(k, _)| *k == key) {
                self.entries[i] = race.seed_cloud(i, lane.spec.seeds).map(|c| (key, c));
            }
            if let Some((_, cloud)) = &mut self.entries[i] {
                cloud.advance_to(self.cursor);
            }
        }
    }

    /// Racer `i`'s cloud, if it has one.
    pub fn get(&self, i: usize) -> Option<&SeedCloud> {
        self.entries.get(i)?.as_ref().map(|(_, c)| c)
    }

    /// The step the clouds are shown at.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }
}
