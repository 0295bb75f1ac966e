// Shared by the kernel backend's lowering tests (version 1 and 2).
import { expect } from 'vitest';
import { compile } from '../../grammar';
import { lowerForKernel, NotCovered } from '../../kernel/bytecode';

/** A scenario's AST; it must have no static errors. */
export const load = (text: string) => {
  const a = compile(text);
  expect(a.diagnostics).toEqual([]);
  return a.file;
};

/** The refusal lowering a scenario for the kernel gives; fails when it is not refused. */
export const refused = (text: string): NotCovered => {
  try {
    lowerForKernel(load(text));
  } catch (e) {
    if (e instanceof NotCovered) return e;
    throw e;
  }
  throw new Error('not refused');
};
