// The helpers refuse a scenario with syntax or static errors, so a typo in a test never
// runs as a different scenario.

import { describe, expect, it } from 'vitest';
import { BASE, exploreSrc, replay, run } from './helpers';

describe('helpers', () => {
  it('fail loudly on a syntax error', () => {
    expect(() => run('thread { log "x" }')).toThrow(/syntax/);
    expect(() => replay('thread a { frobnicate }', [])).toThrow(/syntax/);
  });

  it('fail loudly on a static error', () => {
    expect(() => run(BASE + 'thread a { get nocard }')).toThrow(/unknown-name/);
    expect(() => exploreSrc(BASE + 'revocable bar on d\nthread a { open f on bar }')).toThrow(/wrong-kind/);
  });
});
