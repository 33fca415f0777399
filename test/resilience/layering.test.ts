import { describe, expect, it } from '@jest/globals';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

const RESILIENCE = path.join(process.cwd(), 'src', 'resilience');
/** Every module specifier a file imports or re-exports, types included. */
const SPECIFIER = /(?:import|export)\s[^'"]*?from\s+'([^']+)'|import\('([^']+)'\)/g;

describe('src/resilience', () => {
  it('sits below the providers: none of its files imports anything of the project outside it', async () => {
    const outside: string[] = [];
    for (const file of (await readdir(RESILIENCE)).filter((name) => name.endsWith('.ts'))) {
      const source = await readFile(path.join(RESILIENCE, file), 'utf8');
      for (const [, imported, dynamic] of source.matchAll(SPECIFIER)) {
        const specifier = imported ?? dynamic!;
        if (specifier.startsWith('.') && !path.resolve(RESILIENCE, specifier).startsWith(`${RESILIENCE}${path.sep}`)) outside.push(`${file}: ${specifier}`);
      }
    }
    expect(outside).toEqual([]);
  });
});
