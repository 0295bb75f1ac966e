import { describe, expect, it } from 'vitest';
import { WAITS } from '../../debug-adapter/runtime/waits';

describe('the wait table', () => {
  it('gives every wait kind its own code in the state encoding', () => {
    // two kinds with one code would make states that differ only in what a thread waits
    // for hash alike, and the explorer would skip one of them
    const codes = Object.values(WAITS).map((w) => w.code);
    expect(new Set(codes).size).toBe(codes.length);
  });
});
