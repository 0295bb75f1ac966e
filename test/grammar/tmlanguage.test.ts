// The TextMate grammar, checked with a small single-line interpreter of its `match` and
// `begin`/`end` rules (enough for this grammar: no rule spans lines but block comments).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEYWORDS } from '../../grammar/index';

interface Rule {
  name?: string;
  match?: string;
  begin?: string;
  end?: string;
  include?: string;
  patterns?: Rule[];
  captures?: Record<string, { name?: string }>;
  beginCaptures?: Record<string, { name?: string }>;
  endCaptures?: Record<string, { name?: string }>;
}
interface Grammar {
  scopeName: string;
  patterns: Rule[];
  repository: Record<string, Rule>;
}

const grammar = JSON.parse(fs.readFileSync(path.join(__dirname, '../../grammar/lifetime.tmLanguage.json'), 'utf8')) as Grammar;

function flatten(rules: Rule[]): Rule[] {
  return rules.flatMap((r) => {
    if (r.include) {
      const target = grammar.repository[r.include.slice(1)];
      if (!target) throw new Error(`missing ${r.include}`);
      return target.match || target.begin ? [target] : flatten(target.patterns ?? []);
    }
    return [r];
  });
}

const sub = (name: string, m: RegExpExecArray): string => name.replace(/\$(\d)/g, (_, i: string) => m[Number(i)] ?? '');

/** The scopes of each character of `line`. */
function scopes(line: string): string[][] {
  const out: string[][] = Array.from({ length: line.length }, () => []);
  const mark = (from: number, to: number, name: string | undefined) => {
    if (name) for (let i = from; i < to; i++) out[i]!.push(name);
  };
  const capture = (m: RegExpExecArray, caps: Rule['captures']) => {
    for (const [k, v] of Object.entries(caps ?? {})) {
      const ix = m.indices?.[Number(k)];
      if (ix && v.name) mark(ix[0], ix[1], sub(v.name, m));
    }
  };
  const exec = (source: string, at: number): RegExpExecArray | null => {
    const re = new RegExp(source, 'gd');
    re.lastIndex = at;
    return re.exec(line);
  };
  // Applies `rules` from `pos` until `end` matches (it wins ties, as in TextMate) or the line
  // ends; returns where scanning stopped.
  const run = (rules: Rule[], pos: number, end?: { source: string; rule: Rule; from: number }): number => {
    while (pos <= line.length) {
      const e = end ? exec(end.source, pos) : null;
      let best: { rule: Rule; m: RegExpExecArray } | undefined;
      for (const rule of rules) {
        const m = exec(rule.match ?? rule.begin!, pos);
        if (m && m[0].length > 0 && (!best || m.index < best.m.index)) best = { rule, m };
      }
      if (end && e && (!best || e.index <= best.m.index)) {
        mark(end.from, e.index + e[0].length, end.rule.name);
        capture(e, end.rule.endCaptures ?? end.rule.captures);
        return e.index + e[0].length;
      }
      if (!best) break;
      const { rule, m } = best;
      if (rule.match) {
        mark(m.index, m.index + m[0].length, rule.name && sub(rule.name, m));
        capture(m, rule.captures);
        pos = m.index + m[0].length;
      } else {
        capture(m, rule.beginCaptures ?? rule.captures);
        pos = run(flatten(rule.patterns ?? []), m.index + m[0].length, { source: rule.end!, rule, from: m.index });
      }
    }
    if (end) mark(end.from, line.length, end.rule.name);
    return line.length + 1;
  };
  run(flatten(grammar.patterns), 0);
  return out;
}

/** The scopes of the first occurrence of `word` in `line` (those covering all its characters). */
function scopeOf(line: string, word: string, from = 0): string[] {
  const at = line.indexOf(word, from);
  if (at < 0) throw new Error(`${word} not in ${line}`);
  const all = scopes(line);
  return all[at]!.filter((s) => all.slice(at, at + word.length).every((c) => c.includes(s)));
}

describe('TextMate grammar', () => {
  it('is source.lifetime, and every regex compiles', () => {
    expect(grammar.scopeName).toBe('source.lifetime');
    const all: Rule[] = [...grammar.patterns, ...Object.values(grammar.repository)];
    const visit = (r: Rule) => {
      for (const re of [r.match, r.begin, r.end]) if (re) expect(() => new RegExp(re)).not.toThrow();
      r.patterns?.forEach(visit);
    };
    all.forEach(visit);
  });

  it('gives every keyword a keyword-like scope', () => {
    for (const k of KEYWORDS) {
      const s = scopeOf(k, k);
      expect(s.some((x) => /^(keyword|storage|constant\.language|support\.function)\./.test(x)), `${k}: ${s.join(' ')}`).toBe(true);
    }
  });

  it('highlights comments, strings and escapes', () => {
    expect(scopeOf('module m // trailing', '// trailing')).toContain('comment.line.double-slash.lifetime');
    expect(scopeOf('/* block */ module m', '/* block */')).toContain('comment.block.lifetime');
    const line = 'log "say \\"hi\\" // not a comment"';
    expect(scopeOf(line, '// not a comment')).toEqual(['string.quoted.double.lifetime']);
    expect(scopeOf(line, '\\"')).toContain('constant.character.escape.lifetime');
    expect(scopeOf('log "\\n"', '\\n')).toContain('invalid.illegal.escape.lifetime');
  });

  it('highlights durations and numbers', () => {
    expect(scopeOf('sleep 250us', '250us')).toContain('constant.numeric.duration.lifetime');
    expect(scopeOf('sleep 1_000ms', 'ms')).toContain('keyword.other.unit.lifetime');
    expect(scopeOf('repeat 1_000 {', '1_000')).toContain('constant.numeric.integer.lifetime');
  });

  it('highlights declaration keywords and the names they declare', () => {
    expect(scopeOf('module nova', 'nova')).toContain('entity.name.namespace.module.lifetime');
    expect(scopeOf('driver nova_drm in nova binds gpu0 {', 'nova_drm')).toContain('entity.name.type.driver.lifetime');
    expect(scopeOf('driver nova_drm in nova binds gpu0 {', 'binds')).toContain('keyword.other.lifetime');
    expect(scopeOf('drm card0 on gpu0', 'drm')).toContain('storage.type.drm.lifetime');
    expect(scopeOf('drm card0 on gpu0', 'card0')).toContain('entity.name.variable.drm.lifetime');
    expect(scopeOf('data dsi drmm on card0', 'drmm')).toContain('storage.modifier.managed.lifetime');
    expect(scopeOf('work retire in nova_drm {', 'retire')).toContain('entity.name.function.work.lifetime');
    expect(scopeOf('thread timer_cb "timer callback" {', 'timer_cb')).toContain('entity.name.function.thread.lifetime');
    expect(scopeOf('thread timer_cb "timer callback" {', 'timer_cb').some((s) => s.startsWith('storage'))).toBe(false);
  });

  it('highlights handler events, statements, yes/no and options', () => {
    expect(scopeOf('on release card0 {', 'release')).toContain('support.function.event.lifetime');
    expect(scopeOf('on release card0 {', 'on')).toContain('storage.type.handler.lifetime');
    expect(scopeOf('  wait job timeout 5ms', 'wait')).toContain('keyword.other.statement.wait.lifetime');
    expect(scopeOf('  wait job timeout 5ms', 'timeout')).toContain('keyword.other.modifier.lifetime');
    expect(scopeOf('  enter card0 { } else { }', 'else')).toContain('keyword.control.else.lifetime');
    expect(scopeOf('  fops_owner: yes', 'fops_owner')).toContain('variable.parameter.option.lifetime');
    expect(scopeOf('  fops_owner: yes', 'yes')).toContain('constant.language.boolean.lifetime');
  });

  it('highlights fault kinds after expect', () => {
    const line = 'expect explore use-after-free in app';
    expect(scopeOf(line, 'expect')).toContain('keyword.control.expect.lifetime');
    expect(scopeOf(line, 'explore')).toContain('keyword.other.mode.lifetime');
    expect(scopeOf(line, 'use-after-free')).toContain('constant.language.fault.lifetime');
    expect(scopeOf(line, 'app')).toContain('entity.name.function.thread.lifetime');
    expect(scopeOf('expect deadlock', 'deadlock')).toContain('constant.language.fault.lifetime');
    expect(scopeOf('expect clean', 'clean')).toContain('constant.language.outcome.clean.lifetime');
    expect(scopeOf('expect run use-after-fre', 'use-after-fre')).toContain('invalid.illegal.fault.lifetime');
  });
});
