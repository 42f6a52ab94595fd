import fc from 'fast-check';

// Property tests run from one fixed seed, so a run is reproducible and a failure
// replays exactly; `FC_SEED=<n> npx vitest run …` explores other inputs.
// Runs a test gives its own seed (`{ seed: 42 }`) keep it.
const seed = process.env['FC_SEED'] === undefined ? 20_261_204 : Number(process.env['FC_SEED']);
if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer, not ${process.env['FC_SEED']}`);
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed });
