import { describe, expect, it } from 'vitest';
import {
  BadNumber,
  DurationTok,
  FaultWord,
  Identifier,
  IntegerTok,
  KEYWORDS,
  KW,
  StringTok,
  commentsOf,
  lex,
  offsetToPosition,
  positionMapper,
  positionToOffset,
  stringValue,
} from '../../grammar/index';

const kinds = (text: string): string[] => lex(text).tokens.map((t) => `${t.tokenType.name}:${t.image}`);

describe('lexer', () => {
  it('reserves every keyword and keeps longer names as identifiers', () => {
    for (const k of KEYWORDS) {
      expect(kinds(k)).toEqual([`${KW[k].name}:${k}`]);
      expect(kinds(`${k}_x`)).toEqual([`Identifier:${k}_x`]);
      expect(kinds(`${k}2`)).toEqual([`Identifier:${k}2`]);
    }
    // keywords that are prefixes of other keywords
    expect(kinds('drm drmm module module_put')).toEqual(['Kw_drm:drm', 'Kw_drmm:drmm', 'Kw_module:module', 'Kw_module_put:module_put']);
    expect(kinds('timer_cb modules Open _x')).toEqual(['Identifier:timer_cb', 'Identifier:modules', 'Identifier:Open', 'Identifier:_x']);
  });

  it('lexes hyphenated fault kinds as one token, single words as identifiers', () => {
    const toks = lex('expect use-after-free in app expect deadlock').tokens;
    expect(toks.map((t) => t.tokenType)).toEqual([KW.expect, FaultWord, KW.in, Identifier, KW.expect, Identifier]);
    expect(toks[1]!.image).toBe('use-after-free');
    expect(kinds('code-after-unload a-b')).toEqual(['FaultWord:code-after-unload', 'FaultWord:a-b']);
  });

  it('lexes durations in each unit, integers and `_` separators', () => {
    const toks = lex('1ns 250us 2ms 1s 1_000ms 42 1_000_000 007').tokens;
    expect(toks.map((t) => t.tokenType)).toEqual([DurationTok, DurationTok, DurationTok, DurationTok, DurationTok, IntegerTok, IntegerTok, IntegerTok]);
    // malformed numbers are one token (the parser reports them where a value belongs)
    for (const bad of ['12abc', '1_', '1__0', '5sec', '2msx', '3_ms']) {
      expect(lex(bad).tokens.map((t) => t.tokenType)).toEqual([BadNumber]);
    }
  });

  it('lexes punctuation and strings with escapes', () => {
    const toks = lex('{ } : "a \\"b\\" \\\\ c"').tokens;
    expect(toks.map((t) => t.tokenType.name)).toEqual(['LBrace', 'RBrace', 'Colon', 'String']);
    expect(stringValue(toks[3]!)).toBe('a "b" \\ c');
    expect(toks[3]!.tokenType).toBe(StringTok);
  });

  it('reports unterminated strings and unknown escapes, and goes on', () => {
    const r = lex('log "abc\nmodule m\nlog "x\\ty"');
    expect(r.tokens.map((t) => t.image)).toEqual(['log', '"abc', 'module', 'm', 'log', '"x\\ty"']);
    expect(r.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.column, d.message.split(':')[0]])).toEqual([
      ['syntax', 1, 5, 'unterminated string'],
      ['syntax', 3, 7, 'unknown escape `\\t` in a string'],
    ]);
  });

  it('keeps comments out of the token stream, in the comments group, with ranges', () => {
    const text = '// one\nmodule /* two\nlines */ m // three\n/**/';
    const r = lex(text);
    expect(r.tokens.map((t) => t.image)).toEqual(['module', 'm']);
    const cs = commentsOf(text);
    expect(cs.map((c) => [c.text, c.block, c.range.start.line, c.range.start.column, c.range.end.line, c.range.end.column])).toEqual([
      ['// one', false, 1, 1, 1, 7],
      ['/* two\nlines */', true, 2, 8, 3, 9],
      ['// three', false, 3, 12, 3, 20],
      ['/**/', true, 4, 1, 4, 5],
    ]);
    for (const c of cs) expect(text.slice(c.range.start.offset, c.range.end.offset)).toBe(c.text);
  });

  it('reports an unterminated block comment once', () => {
    const r = lex('module m /* open\nthread t { }');
    expect(r.tokens.map((t) => t.image)).toEqual(['module', 'm']);
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.message).toContain('unterminated comment');
    expect(r.diagnostics[0]!.range.end.offset).toBe('module m /* open\nthread t { }'.length);
  });

  it('reports unknown characters as syntax diagnostics, never throws', () => {
    const r = lex('module m # $ \u0000 é');
    expect(r.tokens.map((t) => t.image)).toEqual(['module', 'm']);
    expect(r.diagnostics.map((d) => [d.code, d.range.start.column, d.range.end.column])).toEqual([
      ['syntax', 10, 11],
      ['syntax', 12, 13],
      ['syntax', 14, 15],
      ['syntax', 16, 17],
    ]);
    expect(r.diagnostics[2]!.message).toContain('U+0000');
  });

  it('counts lines after \\n, \\r\\n and a lone \\r, columns in UTF-16 units', () => {
    const text = 'module a\r\ndevice b\rmutex c\n  drm "✓😀" d';
    const toks = lex(text).tokens;
    const at = (img: string) => toks.find((t) => t.image === img)!;
    expect([at('b').startLine, at('b').startColumn]).toEqual([2, 8]);
    expect([at('c').startLine, at('c').startColumn]).toEqual([3, 7]);
    expect([at('d').startLine, at('d').startColumn]).toEqual([4, 13]);
    const map = positionMapper(text);
    for (const t of toks) {
      expect(map(t.startOffset)).toEqual({ line: t.startLine, column: t.startColumn, offset: t.startOffset });
      expect(positionToOffset(text, t.startLine!, t.startColumn!)).toBe(t.startOffset);
    }
    expect(offsetToPosition(text, text.length)).toEqual({ line: 4, column: 14, offset: text.length });
    expect(offsetToPosition(text, 10_000).offset).toBe(text.length);
  });

  it('treats a BOM and odd whitespace as whitespace', () => {
    const r = lex('\ufeffmodule\tm\f\v\u00a0device d');
    expect(r.diagnostics).toEqual([]);
    expect(r.tokens.map((t) => t.image)).toEqual(['module', 'm', 'device', 'd']);
  });
});
