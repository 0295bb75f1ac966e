// The TextMate grammar's statement keywords are generated from the statement table at build
// time (grammar/tmgrammar.ts): the committed grammar must be what the table gives.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STMT_KINDS } from '../../grammar/statements';
import { tmKeywordMatches, withTableKeywords } from '../../grammar/tmgrammar';

const file = path.join(__dirname, '../../grammar/lifetime.tmLanguage.json');

describe('TextMate keyword lists', () => {
  it('the committed grammar is current (run `node scripts/build.mjs tmgrammar`)', () => {
    const text = fs.readFileSync(file, 'utf8');
    expect(withTableKeywords(text)).toBe(text);
  });

  it('every statement keyword is in one of the two lists', () => {
    const m = tmKeywordMatches();
    for (const k of STMT_KINDS) expect(new RegExp(`^(?:${m.control}|${m.statement})$`).test(k), k).toBe(true);
  });

  it('a stale list is noticed', () => {
    const text = fs.readFileSync(file, 'utf8').replace('|unlock|', '|');
    expect(withTableKeywords(text)).not.toBe(text);
  });
});
