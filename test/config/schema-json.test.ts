import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderJsonSchema } from '../../src/config/json-schema.js';

describe('schema.json', () => {
  it('is what the zod schema generates (run `npm run schema` after changing the schema)', () => {
    const committed = readFileSync(new URL('../../schema.json', import.meta.url), 'utf8');
    expect(committed, 'schema.json is stale: run `npm run schema` and commit it').toBe(renderJsonSchema());
  });

  it('documents every key and forbids unknown ones', () => {
    const schema = JSON.parse(renderJsonSchema()) as { additionalProperties: boolean; properties: Record<string, { description?: string; additionalProperties?: boolean; properties?: Record<string, { description?: string }> }> };
    expect(schema.additionalProperties).toBe(false);
    for (const [section, s] of Object.entries(schema.properties)) {
      expect(s.description, section).toBeTruthy();
      if (section === '_extends') continue;
      expect(s.additionalProperties, section).toBe(false);
      for (const [key, field] of Object.entries(s.properties ?? {})) expect(field.description, `${section}.${key}`).toBeTruthy();
    }
  });
});
