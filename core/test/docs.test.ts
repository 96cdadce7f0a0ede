import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configurationReference } from '@vocloud/core';

describe('docs', () => {
  it('docs/configuration.md lists every configuration key as the schema defines it', async () => {
    const file = await readFile(resolve(import.meta.dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
    // Regenerate with: node core/dist/cli/main.js config reference > docs/configuration.md
    expect(file).toBe(configurationReference());
  });
});
