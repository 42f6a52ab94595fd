import { run } from 'probot';
import changeproof from './index.js';

// Probot reads APP_ID, PRIVATE_KEY(_PATH), WEBHOOK_SECRET, PORT, LOG_LEVEL and
// GHE_HOST/GHE_PROTOCOL; without credentials it serves its setup flow from app.yml.
await run(changeproof);
