// The expressions of conditions, log points, watches and the debug console:
//
//   expr    := or
//   or      := and ('||' and)*
//   and     := unary ('&&' unary)*
//   unary   := '!' unary | compare
//   compare := primary (('==' | '!=' | '<' | '<=' | '>' | '>=') primary)?
//   primary := NUMBER | DURATION | 'true' | 'false' | NAME ('.' FIELD)? | '(' expr ')'
//
// NAME is an object or thread (`card0`, `kworker/retire`), `clock` or `step`; any other name
// is a symbol, valid only compared with an enum field (`nova.state == gone`). Expressions
// are checked against the program when they are set, so a typo is reported at once (an
// unverified breakpoint, an error in the console) instead of failing silently at run time.

import { formatDuration } from '../../grammar/ast';
import { type Kernel } from '../runtime/kernel';
import type { Program } from '../runtime/program';
import { FIELDS, KIND_LABEL, lookupObject, type FieldDef, type NamedObject, type Value } from './objects';

export class ExprError extends Error {}

type Tok = { t: 'num'; v: number; dur: boolean; col: number } | { t: 'id'; v: string; col: number } | { t: 'op'; v: string; col: number };

const UNIT: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 };
const OPS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!', '(', ')', '.'];

function lex(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    const col = i + 1;
    const num = /^([0-9][0-9_]*)(ns|us|ms|s)?(?![A-Za-z0-9_])/.exec(text.slice(i));
    if (num) {
      const n = Number(num[1].replace(/_/g, ''));
      out.push({ t: 'num', v: n * (num[2] ? UNIT[num[2]] : 1), dur: Boolean(num[2]), col });
      i += num[0].length;
      continue;
    }
    if (/[0-9]/.test(c)) throw new ExprError(`column ${col}: bad number or duration (write 2ms, 250us, 10s)`);
    const id = /^[A-Za-z_][A-Za-z0-9_]*(\/[A-Za-z_][A-Za-z0-9_]*)?/.exec(text.slice(i));
    if (id) {
      out.push({ t: 'id', v: id[0], col });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => text.startsWith(o, i));
    if (op) {
      out.push({ t: 'op', v: op, col });
      i += op.length;
      continue;
    }
    if (c === '=') throw new ExprError(`column ${col}: use == to compare`);
    if (c === '&' || c === '|') throw new ExprError(`column ${col}: use ${c}${c}`);
    throw new ExprError(`column ${col}: unexpected character ${JSON.stringify(c)}`);
  }
  return out;
}

type Node =
  | { t: 'num'; v: number; dur: boolean; col: number }
  | { t: 'name'; name: string; col: number }
  | { t: 'field'; obj: string; field: string; col: number }
  | { t: 'not'; e: Node; col: number }
  | { t: 'bin'; op: string; l: Node; r: Node; col: number };

class Parser {
  private i = 0;
  constructor(private toks: Tok[], private text: string) {}

  parse(): Node {
    if (this.toks.length === 0) throw new ExprError('empty expression');
    const e = this.or();
    const t = this.toks[this.i];
    if (t) throw new ExprError(`column ${t.col}: unexpected ${JSON.stringify(String(t.v))} after a complete expression`);
    return e;
  }

  private peek(v: string): boolean {
    const t = this.toks[this.i];
    return t !== undefined && t.t === 'op' && t.v === v;
  }

  private or(): Node {
    let l = this.and();
    while (this.peek('||')) {
      const col = this.toks[this.i++].col;
      l = { t: 'bin', op: '||', l, r: this.and(), col };
    }
    return l;
  }

  private and(): Node {
    let l = this.unary();
    while (this.peek('&&')) {
      const col = this.toks[this.i++].col;
      l = { t: 'bin', op: '&&', l, r: this.unary(), col };
    }
    return l;
  }

  private unary(): Node {
    if (this.peek('!')) {
      const col = this.toks[this.i++].col;
      return { t: 'not', e: this.unary(), col };
    }
    return this.compare();
  }

  private compare(): Node {
    const l = this.primary();
    const t = this.toks[this.i];
    if (t && t.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      this.i++;
      return { t: 'bin', op: t.v, l, r: this.primary(), col: t.col };
    }
    return l;
  }

  private primary(): Node {
    const t = this.toks[this.i++];
    if (!t) throw new ExprError(`column ${this.text.length + 1}: the expression ends too early`);
    if (t.t === 'num') return t;
    if (t.t === 'op' && t.v === '(') {
      const e = this.or();
      if (!this.peek(')')) throw new ExprError(`column ${this.toks[this.i]?.col ?? this.text.length + 1}: missing )`);
      this.i++;
      return e;
    }
    if (t.t === 'id') {
      if (this.peek('.')) {
        this.i++;
        const f = this.toks[this.i++];
        if (!f || f.t !== 'id') throw new ExprError(`column ${f?.col ?? this.text.length + 1}: expected a field name after ${t.v}.`);
        return { t: 'field', obj: t.v, field: f.v, col: t.col };
      }
      return { t: 'name', name: t.v, col: t.col };
    }
    throw new ExprError(`column ${t.col}: unexpected ${JSON.stringify(t.v)}`);
  }
}

// ---------------------------------------------------------------- checking and evaluation

export type ExprType = 'number' | 'time' | 'bool' | 'enum' | 'object' | 'symbol';

export interface Compiled {
  text: string;
  type: ExprType;
  /** an expression that is exactly one field or `clock`/`step`: what a data breakpoint watches */
  isField: boolean;
  /** for `object`: which object */
  object?: NamedObject;
  eval(k: Kernel): Value;
}

interface Typed {
  type: ExprType;
  values?: readonly string[];
  what: string;
  symbol?: string;
  object?: NamedObject;
  isField: boolean;
  ev: (k: Kernel) => Value;
}

function fieldList(kind: keyof typeof FIELDS): string {
  return FIELDS[kind].map((f) => f.name).join(', ');
}

function check(n: Node, p: Program): Typed {
  switch (n.t) {
    case 'num': {
      const v = n.v;
      return { type: n.dur ? 'time' : 'number', what: String(v), isField: false, ev: () => v };
    }
    case 'name': {
      const name = n.name;
      if (name === 'true' || name === 'false') {
        const v = name === 'true';
        return { type: 'bool', what: name, isField: false, ev: () => v };
      }
      const obj = lookupObject(p, name);
      if (obj) return { type: 'object', what: name, object: obj, isField: false, ev: () => name };
      if (name === 'clock') return { type: 'time', what: 'clock', isField: true, ev: (k) => k.s.clock };
      if (name === 'step' || name === 'steps') return { type: 'number', what: 'step', isField: true, ev: (k) => k.s.steps };
      return { type: 'symbol', what: name, symbol: name, isField: false, ev: () => name };
    }
    case 'field': {
      const obj = lookupObject(p, n.obj);
      if (!obj) throw new ExprError(`unknown name ${n.obj}`);
      const defs = FIELDS[obj.kind];
      const def: FieldDef | undefined = defs.find((f) => f.name === n.field) ??
        (n.field === 'refs' ? defs.find((f) => f.name === 'refcount') : undefined);
      if (!def) {
        throw new ExprError(defs.length
          ? `${n.obj} is a ${KIND_LABEL[obj.kind]}; its fields are ${fieldList(obj.kind)}`
          : `${n.obj} is a ${KIND_LABEL[obj.kind]}, which has no fields of its own`);
      }
      const x = obj.x;
      return {
        type: def.type, values: def.values?.(p), what: `${n.obj}.${def.name}`, isField: true,
        ev: (k) => def.get(k, x),
      };
    }
    case 'not': {
      const e = check(n.e, p);
      wantBool(e, '!');
      return { type: 'bool', what: `!${e.what}`, isField: false, ev: (k) => !e.ev(k) };
    }
    case 'bin': {
      const l = check(n.l, p);
      const r = check(n.r, p);
      if (n.op === '&&' || n.op === '||') {
        wantBool(l, n.op);
        wantBool(r, n.op);
        return n.op === '&&'
          ? { type: 'bool', what: `${l.what} && ${r.what}`, isField: false, ev: (k) => Boolean(l.ev(k)) && Boolean(r.ev(k)) }
          : { type: 'bool', what: `${l.what} || ${r.what}`, isField: false, ev: (k) => Boolean(l.ev(k)) || Boolean(r.ev(k)) };
      }
      return comparison(n.op, l, r);
    }
  }
}

function wantBool(e: Typed, op: string): void {
  if (e.type === 'bool') return;
  if (e.type === 'object') throw new ExprError(`${e.what} is an object; ${op} needs a flag such as ${exampleFlag(e.object!)}`);
  if (e.type === 'symbol') throw new ExprError(`unknown name ${e.what}`);
  throw new ExprError(`${e.what} is ${article(e.type)}; ${op} needs true or false (compare it, e.g. ${e.what} > 0)`);
}

function exampleFlag(o: NamedObject): string {
  const f = FIELDS[o.kind].find((d) => d.type === 'bool') ?? FIELDS[o.kind][0];
  return f ? `${o.name}.${f.name}` : 'a field';
}

function article(t: ExprType): string {
  return t === 'time' ? 'a duration' : t === 'enum' ? 'a state' : t === 'number' ? 'a number' : t === 'bool' ? 'a flag' : `a ${t}`;
}

const numeric = (t: ExprType): boolean => t === 'number' || t === 'time';

function comparison(op: string, l: Typed, r: Typed): Typed {
  const what = `${l.what} ${op} ${r.what}`;
  // A name that is also a value of the enum it meets is that value (`lk.holder == app`).
  const asSymbol = (e: Typed, other: Typed): Typed =>
    e.type === 'object' && other.type === 'enum' && other.values?.includes(e.what) ? { ...e, type: 'symbol', symbol: e.what } : e;
  [l, r] = [asSymbol(l, r), asSymbol(r, l)];
  for (const e of [l, r]) {
    if (e.type === 'object') {
      const fs = fieldList(e.object!.kind);
      throw new ExprError(`${e.what} is a ${KIND_LABEL[e.object!.kind]}; compare one of its fields${fs ? ` (${fs})` : ''}, e.g. ${exampleFlag(e.object!)}`);
    }
  }
  const ordered = op !== '==' && op !== '!=';
  if (numeric(l.type) && numeric(r.type)) {
    return { type: 'bool', what, isField: false, ev: numCmp(op, l, r) };
  }
  if (ordered) {
    const bad = numeric(l.type) ? r : l;
    if (bad.type === 'symbol') throw new ExprError(`unknown name ${bad.what}`);
    throw new ExprError(`${op} compares numbers or durations, but ${bad.what} is ${article(bad.type)}`);
  }
  if (l.type === 'bool' && r.type === 'bool') return { type: 'bool', what, isField: false, ev: eqCmp(op, l, r) };
  if (l.type === 'enum' || r.type === 'enum') {
    const [e, o] = l.type === 'enum' ? [l, r] : [r, l];
    if (o.type === 'symbol') {
      const vals = e.values ?? [];
      if (!vals.includes(o.symbol!)) throw new ExprError(`${o.symbol} is not a value of ${e.what} (${vals.join(', ')})`);
      return { type: 'bool', what, isField: false, ev: eqCmp(op, l, r) };
    }
    if (o.type === 'enum') return { type: 'bool', what, isField: false, ev: eqCmp(op, l, r) };
    throw new ExprError(`${e.what} is a state (${(e.values ?? []).join(', ')}), not ${article(o.type)}`);
  }
  const sym = [l, r].find((e) => e.type === 'symbol');
  if (sym) throw new ExprError(`unknown name ${sym.what}`);
  throw new ExprError(`cannot compare ${l.what} (${article(l.type)}) with ${r.what} (${article(r.type)})`);
}

function numCmp(op: string, l: Typed, r: Typed): (k: Kernel) => boolean {
  switch (op) {
    case '==': return (k) => l.ev(k) === r.ev(k);
    case '!=': return (k) => l.ev(k) !== r.ev(k);
    case '<': return (k) => (l.ev(k) as number) < (r.ev(k) as number);
    case '<=': return (k) => (l.ev(k) as number) <= (r.ev(k) as number);
    case '>': return (k) => (l.ev(k) as number) > (r.ev(k) as number);
    default: return (k) => (l.ev(k) as number) >= (r.ev(k) as number);
  }
}

function eqCmp(op: string, l: Typed, r: Typed): (k: Kernel) => boolean {
  return op === '==' ? (k) => l.ev(k) === r.ev(k) : (k) => l.ev(k) !== r.ev(k);
}

/** Parses and checks an expression against the program; throws ExprError with a clear message. */
export function compileExpr(text: string, p: Program): Compiled {
  if (typeof text !== 'string') throw new ExprError('an expression must be a string');
  const node = new Parser(lex(text), text).parse();
  const t = check(node, p);
  if (t.type === 'symbol') throw new ExprError(`unknown name ${t.what}`);
  return { text: text.trim(), type: t.type, isField: t.isField, object: t.object, eval: t.ev };
}

/** A condition: an expression that must be true or false. */
export function compileCondition(text: string, p: Program): Compiled {
  const c = compileExpr(text, p);
  if (c.type !== 'bool') {
    if (c.type === 'object') throw new ExprError(`${c.text} is an object; a condition needs a comparison such as ${exampleFlag(c.object!)}`);
    throw new ExprError(`${c.text} is ${article(c.type)}, not true or false (compare it, e.g. ${c.text} == 0)`);
  }
  return c;
}

export function formatValue(v: Value, type: ExprType): string {
  if (type === 'time' && typeof v === 'number') return formatDuration(v);
  return String(v);
}

// ---------------------------------------------------------------- log point messages

export type LogPart = string | Compiled;

/** A log message with `{expr}` parts (`{{` and `}}` for literal braces). */
export function compileLogMessage(text: string, p: Program): LogPart[] {
  const parts: LogPart[] = [];
  let lit = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if ((c === '{' || c === '}') && text[i + 1] === c) {
      lit += c;
      i += 2;
      continue;
    }
    if (c === '{') {
      const end = text.indexOf('}', i + 1);
      if (end < 0) throw new ExprError(`log message: { at column ${i + 1} has no closing }`);
      if (lit) parts.push(lit);
      lit = '';
      const inner = text.slice(i + 1, end);
      try {
        parts.push(compileExpr(inner, p));
      } catch (e) {
        throw new ExprError(`log message {${inner}}: ${(e as Error).message}`);
      }
      i = end + 1;
      continue;
    }
    lit += c;
    i++;
  }
  if (lit) parts.push(lit);
  return parts;
}

export function renderLog(parts: LogPart[], k: Kernel): string {
  return parts.map((x) => (typeof x === 'string' ? x : x.type === 'object' ? x.text : formatValue(x.eval(k), x.type))).join('');
}
