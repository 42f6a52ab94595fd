// Writes schema.json from the zod schema: `npm run schema`.
import { writeFileSync } from 'node:fs';
import { renderJsonSchema } from '../src/config/json-schema.js';

const target = new URL('../schema.json', import.meta.url);
writeFileSync(target, renderJsonSchema());
console.log(`wrote ${target.pathname}`);
