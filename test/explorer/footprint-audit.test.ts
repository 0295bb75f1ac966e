// The footprint audit (debug-adapter/explorer/footprint-audit.ts) over every corpus the
// explorer is tested on: each step's actual reads and writes of shared state must be in
// the footprint the partial-order reduction predicts for it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile } from '../../grammar';
import { walkStmts, bodyOf, type StmtKind } from '../../grammar/ast';
import { STMT_KINDS } from '../../grammar/statements';
import { auditFootprints } from '../../debug-adapter/explorer/footprint-audit';
import { FP, SELF_LOCAL } from '../../debug-adapter/explorer/footprint';
import { conformanceCases, familyCases, familyLikeArb, program, sampleCases, scenarioArb, uapiArb } from './helpers';

const RANDOM = 2000;

describe('footprint audit: every step stays inside its predicted footprint', () => {
  for (const c of [...conformanceCases(), ...sampleCases(), ...familyCases(3)]) {
    it(c.name, () => {
      const r = auditFootprints(program(c.text, c.name), { walks: 40 });
      expect(r.steps).toBeGreaterThan(0);
      expect(r.violations).toEqual([]);
    });
  }

  const random = [
    ...fc.sample(scenarioArb, { numRuns: RANDOM, seed: 9 }),
    ...fc.sample(familyLikeArb, { numRuns: 200, seed: 9 }),
    ...fc.sample(uapiArb, { numRuns: 300, seed: 9 }),
  ];

  it(`${random.length} random scenarios`, () => {
    const bad: string[] = [];
    random.forEach((text, n) => {
      const r = auditFootprints(program(text, `random ${n}`), { walks: 4, seed: n + 1 });
      if (r.violations.length) bad.push(`${text}\n${JSON.stringify(r.violations, null, 1)}`);
    });
    expect(bad.slice(0, 2)).toEqual([]);
  }, 600_000);

  it('the random scenarios use every statement kind', () => {
    const seen = new Set<StmtKind>();
    for (const text of random) {
      for (const d of compile(text).file.decls) {
        const b = bodyOf(d);
        if (b) walkStmts(b, (s) => seen.add(s.kind));
      }
    }
    // Version-2 kinds the runtime refuses until they are simulated (then they must appear).
    expect(STMT_KINDS.filter((k) => !seen.has(k))).toEqual([]);
  });
});

describe('footprint audit: it catches a footprint that misses an access', () => {
  const SCENARIO = `module m
device d
driver drv in m binds d
mutex mx
data st devm on d
thread a { lock mx use st unlock mx }
thread b { lock mx unbind d unlock mx }
`;
  /** The audit with the shallow footprints of `kind` statements replaced. */
  const tampered = (kind: StmtKind, make: (f: FP) => FP) =>
    auditFootprints(program(SCENARIO), {
      walks: 20,
      tamper: (A) => {
        for (const st of A.p.stmts) if (st.kind === kind) A.shallow[st.id] = make(new FP(A.L));
      },
    }).violations;

  it('the untouched analysis passes', () => {
    expect(auditFootprints(program(SCENARIO), { walks: 20 }).violations).toEqual([]);
  });

  it('a missing write: lock that only reads its mutex', () => {
    const v = tampered('lock', (f) => f.rw(SELF_LOCAL).read(f.L.mutex(0)));
    expect(v.map((x) => x.access)).toContain('mutexes[0].holder write');
    expect(v.every((x) => x.access.endsWith('write'))).toBe(true);
  });

  it('a missing read: use that touches nothing shared', () => {
    const v = tampered('use', (f) => f.rw(SELF_LOCAL));
    expect(v).toEqual([{ choice: 'a', line: 6, access: 'data[0].freed read' }]);
  });

  it('a missing write of version-2 state: show that does not count its active reference, unregister that only reads', () => {
    const src = `module m
device d
driver drv in m binds d
cdev c on d
attr a on d { log "s" }
thread r { show a }
thread u { unregister c }
`;
    const audit = (kind: StmtKind, make: (f: FP) => FP) => auditFootprints(program(src), {
      walks: 10,
      tamper: (A) => { for (const st of A.p.stmts) if (st.kind === kind) A.shallow[st.id] = make(new FP(A.L)); },
    }).violations.map((x) => x.access);
    expect(audit('show', (f) => f.rw(SELF_LOCAL).read(f.L.attrRm(0)))).toContain('attrs[0].active write');
    expect(audit('unregister', (f) => f.rw(SELF_LOCAL).read(f.L.cdevDel(0)))).toContain('cdevs[0].deleted write');
  });
});
