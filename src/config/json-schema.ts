import { z } from 'zod';
import { PolicySchema } from './policy.schema.js';

/**
 * The JSON Schema of `.github/changeproof.yml` for editors (YAML language
 * servers read it through a `# yaml-language-server: $schema=` comment),
 * generated from the zod schema so the two never disagree.
 */
export function buildJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PolicySchema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: 'Changeproof policy (.github/changeproof.yml)',
    ...schema,
  };
}

/** The file as committed: two-space JSON with a trailing newline. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(buildJsonSchema(), null, 2)}\n`;
}
