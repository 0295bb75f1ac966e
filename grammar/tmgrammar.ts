// The TextMate grammar's statement keyword lists, generated from the statement table:
// `node scripts/build.mjs` rewrites them in grammar/lifetime.tmLanguage.json, and a test
// fails when the committed file is not what the table gives.

import { STMT_KINDS, STMTS, type StmtSyntax } from './statements';

/** Statements that open a block or choose a branch are control keywords (with `else`). */
const CONTROL: ReadonlySet<StmtSyntax> = new Set<StmtSyntax>(['ioctl', 'guard', 'repeat']);

export function tmKeywordMatches(): { control: string; statement: string } {
  const control = STMT_KINDS.filter((k) => CONTROL.has(STMTS[k].syntax));
  const other = STMT_KINDS.filter((k) => !CONTROL.has(STMTS[k].syntax));
  return { control: `\\b(${[...control, 'else'].join('|')})\\b`, statement: `\\b(${other.join('|')})\\b` };
}

/**
 * The grammar's JSON text with its statement keyword lists as the table gives them (only
 * the `match` after each of the two names changes: the rest of the file keeps its layout).
 */
export function withTableKeywords(json: string): string {
  const m = tmKeywordMatches();
  const set = (text: string, name: string, match: string) =>
    text.replace(new RegExp(`("name": "${name.replace(/[.$]/g, '\\$&')}",\\s*"match": )"(?:[^"\\\\]|\\\\.)*"`), (_all, head: string) => `${head}${JSON.stringify(match)}`);
  return set(set(json, 'keyword.control.$1.lifetime', m.control), 'keyword.other.statement.$1.lifetime', m.statement);
}
