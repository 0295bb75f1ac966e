// Data-driven parser tests: each fixtures/NAME.lifetime is compiled and compared with
// fixtures/NAME.expected.json, `{ "ast": [...], "diagnostics": [...] }` (see ./summary).
// UPDATE_FIXTURES=1 rewrites the expected files; review the diff before committing.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, parse } from '../../grammar/index';
import { summarize, summarizeDiagnostics } from './summary';

const dir = path.join(__dirname, 'fixtures');
const names = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.lifetime'))
  .map((f) => f.slice(0, -'.lifetime'.length))
  .sort();

describe('parser fixtures', () => {
  it('has fixtures', () => {
    expect(names.length).toBeGreaterThan(10);
  });

  for (const name of names) {
    it(name, () => {
      const text = fs.readFileSync(path.join(dir, `${name}.lifetime`), 'utf8');
      const parsed = parse(text);
      const actual = {
        ast: summarize(parsed.file),
        diagnostics: summarizeDiagnostics(compile(text).diagnostics),
      };
      const expectedPath = path.join(dir, `${name}.expected.json`);
      if (process.env.UPDATE_FIXTURES) fs.writeFileSync(expectedPath, `${JSON.stringify(actual, null, 2)}\n`);
      const expected = JSON.parse(fs.readFileSync(expectedPath, 'utf8')) as typeof actual;
      expect(actual).toEqual(expected);
      // Fixtures without "error" in their name are valid files.
      if (!name.startsWith('error-')) expect(actual.diagnostics).toEqual([]);
      else expect(actual.diagnostics.length).toBeGreaterThan(0);
    });
  }
});
