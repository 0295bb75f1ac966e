// Error recovery, asserted directly (the fixtures pin the exact trees and messages).

import { describe, expect, it } from 'vitest';
import { parse, type Decl } from '../../grammar/index';

const names = (decls: Decl[]) => decls.map((d) => `${d.kind}${'name' in d ? ` ${d.name.name}` : ''}`);

describe('parser recovery', () => {
  it('reports a bad statement, keeps the rest of its block and the declarations after it', () => {
    const r = parse('thread a {\n  get x\n  frobnicate x\n  sleep soon\n  put x\n}\nthread b {\n  get x\n}\nmodule m\n');
    expect(names(r.file.decls)).toEqual(['thread a', 'thread b', 'module m']);
    const a = r.file.decls[0]!;
    expect(a.kind === 'thread' && a.body.stmts.map((s) => s.kind)).toEqual(['get', 'sleep', 'put']);
    expect(r.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column])).toEqual([
      ['syntax', 3, 3],
      ['syntax', 4, 9],
    ]);
    expect(r.diagnostics[0]!.message).toBe('expected a statement such as `open`, `wait`, `unplug`… or `}` but found `frobnicate`');
  });

  it('closes a block left open before the next declaration, and one left open at the end of the file', () => {
    const text = 'thread a {\n  get x\nthread b {\n  enter x {\n    sleep 1ms\n';
    const r = parse(text);
    expect(names(r.file.decls)).toEqual(['thread a', 'thread b']);
    const b = r.file.decls[1]!;
    expect(b.kind === 'thread' && b.body.stmts[0]!.kind).toBe('enter');
    expect(r.diagnostics).toHaveLength(2);
    const eof = r.diagnostics[1]!;
    expect([eof.range.start.offset, eof.range.end.offset]).toEqual([text.length, text.length]);
    expect([eof.range.start.line, eof.range.start.column]).toEqual([6, 1]);
    expect(eof.message).toContain('found the end of the file');
  });

  it('parses a declaration whose `on` starts the next line, version 2\'s `irq` and `attr` with their blocks too (found by the formatter property over samples/v2)', () => {
    for (const text of ['irq i\non d {\n  log "x"\n}\n', 'attr a\n  on d {\n}\n', 'drm c\non d\n', 'irq i\non\nd threaded devm {\n}\n']) {
      const r = parse(`device d\n${text}on remove drv {\n}\n`);
      expect(r.diagnostics, text).toEqual([]);
      expect(r.file.decls.map((d) => d.kind)).toEqual(['device', text.split(/\s/)[0], 'handler']);
    }
  });

  it('parses a callback thread name whose prefix starts the next line (`expect … in` / `timer/t`)', () => {
    const r = parse('timer t in drv {\n}\nexpect code-after-unload in\ntimer/t\nexpect deadlock in\nirq\n/ i\nthread a {\n}\n');
    expect(r.diagnostics).toEqual([]);
    expect(names(r.file.decls)).toEqual(['timer t', 'expect', 'expect', 'thread a']);
  });

  it('counts the line of an unterminated string that ends in a backslash (found by the mutation property)', () => {
    const text = 'scenario "quotes: \\\n\nthread t {\n  log "x"\n}\n';
    const r = parse(text);
    expect(names(r.file.decls)).toEqual(['thread t']);
    expect([r.file.decls[0]!.range.start.line, r.file.decls[0]!.range.start.column]).toEqual([3, 1]);
    expect([r.file.range.end.line, r.file.range.end.offset]).toEqual([6, text.length]);
  });

  it('re-syncs at declaration keywords after garbage, reporting each place', () => {
    const r = parse('module m garbage 1 2 3\ndevice d ? \nwhat ever\nmutex x\n');
    expect(names(r.file.decls)).toEqual(['module m', 'device d', 'mutex x']);
    expect(r.diagnostics.map((d) => d.range.start.line)).toEqual([1, 2, 3]);
  });

  it('keeps placeholders, never undefined, for missing parts', () => {
    const r = parse('thread t {\n  open f on\n  wait\n}\n');
    const t = r.file.decls[0]!;
    if (t.kind !== 'thread') throw new Error('no thread');
    const [open, wait] = t.body.stmts;
    expect(open!.kind === 'open' && open!.target).toEqual({ name: '', range: { start: { line: 2, column: 12, offset: 22 }, end: { line: 2, column: 12, offset: 22 } } });
    expect(wait!.kind === 'wait' && wait!.target.name).toBe('');
    expect(r.diagnostics).toHaveLength(2);
  });

  it('reports several errors, not only the first', () => {
    const r = parse('module\ndevice\ndriver d in binds\nthread t { sleep 5 repeat x { } log }\nexpect 3\n');
    expect(r.diagnostics.length).toBeGreaterThanOrEqual(6);
    expect(r.file.decls.map((d) => d.kind)).toEqual(['module', 'device', 'driver', 'thread', 'expect']);
  });

  it('takes a top-level `on` as a handler only when one follows', () => {
    const r = parse('open f on card0\non remove d { }\nsleep 1ms on x\nmodule m\n');
    expect(names(r.file.decls)).toEqual(['handler', 'module m']);
    expect(r.diagnostics.map((d) => d.range.start.line)).toEqual([1, 3]);
  });
});
