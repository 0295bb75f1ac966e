// The program's word format is written twice, in kernel/bytecode.ts and in the C header
// that lt_core and lt_run compile against: they must name the same numbers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CB_DEVM, CB_KINDS, CB_THREADED, EVENT_TID, HDR, LT_MAGIC, LT_VERSION, OPS, PHASES, STMT_WORDS, TARGETS, TURN_WORDS } from '../../kernel/bytecode';

const header = readFileSync(join(__dirname, '../../kernel/c/lt_abi.h'), 'utf8');
const enumBody = (name: string): string[] => {
  const m = new RegExp(`enum ${name} \\{([\\s\\S]*?)\\};`).exec(header);
  if (!m) throw new Error(`enum ${name} not found`);
  return m[1].replace(/\/\*[\s\S]*?\*\//g, '').split(',').map((s) => s.trim()).filter(Boolean);
};

describe('lt_abi.h and bytecode.ts', () => {
  it('list the header words in the same order', () => {
    expect(enumBody('lt_hdr')).toEqual([...HDR.map((h) => `H_${h}`), 'H_WORDS']);
  });
  it('number the opcodes alike', () => {
    expect(enumBody('lt_op')).toEqual([...OPS.map((o) => `OP_${o}`), 'OP_COUNT']);
  });
  it('number the turn phases alike', () => {
    expect(enumBody('lt_phase')).toEqual(PHASES.map((p) => `PH_${p}`));
  });
  it('number the callback kinds, their flags and the target kinds alike (version 2)', () => {
    expect(enumBody('lt_cb')).toEqual(CB_KINDS.map((k) => `CB_${k}`));
    expect(enumBody('lt_target')).toEqual(TARGETS.map((t) => `T_${t}`));
    expect(header).toContain(`#define CB_THREADED ${CB_THREADED}`);
    expect(header).toContain(`#define CB_DEVM ${CB_DEVM}`);
    expect(header).toContain(`#define LT_VERSION ${LT_VERSION}`);
  });
  it('agree on the magic, the record sizes and the event thread', () => {
    expect(header).toContain(`#define LT_MAGIC 0x${LT_MAGIC.toString(16)}`);
    expect(header).toContain(`#define LT_STMT_WORDS ${STMT_WORDS}`);
    expect(header).toContain(`#define LT_TURN_WORDS ${TURN_WORDS}`);
    expect(header).toContain(`#define LT_EVENT_TID ${EVENT_TID}`);
  });
});
