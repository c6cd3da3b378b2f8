// How many cases a property test tries: its full count in `npm test`, a quarter in the contributor's
// loop (`npx projen test:unit` sets PROPERTY_RUNS_SCALE=0.25). With a fixed seed, the quick run's
// cases are the first ones of the full run.
const SCALE = Number(process.env.PROPERTY_RUNS_SCALE ?? 1);
if (!(SCALE > 0 && SCALE <= 1)) {
  throw new Error(`PROPERTY_RUNS_SCALE=${JSON.stringify(process.env.PROPERTY_RUNS_SCALE)}: expected a number above 0 and at most 1`);
}

/** `full` cases, scaled by PROPERTY_RUNS_SCALE, at least one */
export function propertyRuns(full: number): number {
  return Math.max(1, Math.round(full * SCALE));
}
