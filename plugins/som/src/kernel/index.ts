/**
 * The SOM compute kernel, usable without the job machinery:
 * `import { trainSom } from '@vocloud/plugin-som/kernel'`.
 */
export { trainSom, SomInputError, type SomOptions, type SomResult, type EpochReport, type Algorithm, type DistanceKind } from './som.js';
export { Grid, type GridSpec, type Topology } from './grid.js';
export { neighbourhood, type NeighbourhoodKind } from './neighbourhood.js';
export { scheduleAt, type Schedule, type ScheduleKind } from './schedule.js';
export { type InitKind } from './init.js';
export { topographicError, uMatrix, hitCounts } from './quality.js';
export { selectBackend, nativeUnavailableReason, type BackendName } from './backend.js';
export { Rng } from './rng.js';
