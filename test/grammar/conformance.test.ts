// The shared conformance scenarios (../shared/conformance beside the repository) must all
// compile without a single diagnostic.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../grammar/index';
import { CONFORMANCE_DIR, CONFORMANCE_PRESENT } from './paths';

const present = CONFORMANCE_PRESENT;
const files = present ? fs.readdirSync(CONFORMANCE_DIR).filter((f) => f.endsWith('.lifetime')).sort() : [];

describe.skipIf(!present)('conformance files', () => {
  it('are all there', () => {
    expect(files).toHaveLength(19);
  });

  for (const f of files) {
    it(`${f} compiles with no diagnostics`, () => {
      const a = compile(fs.readFileSync(path.join(CONFORMANCE_DIR, f), 'utf8'));
      expect(a.diagnostics).toEqual([]);
      expect(a.file.decls.some((d) => d.kind === 'thread')).toBe(true);
      expect(a.file.decls.some((d) => d.kind === 'expect')).toBe(true);
    });
  }
});
