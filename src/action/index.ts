// The Action's entry point (action.yml, `runs.using: node24`): everything is in run.ts.
import { run } from './run.js';

await run();
