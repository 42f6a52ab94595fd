import { startChangeproof } from './start.js';

try {
  await startChangeproof();
} catch (error) {
  // A start-up failure (a ledger that cannot be opened, a port in use) is a message, not a stack trace.
  console.error(`Changeproof could not start: ${(error as Error).message}`);
  process.exit(1);
}
