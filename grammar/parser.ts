// The parser of `.lifetime` files (language.md §2): tokens to the typed AST of ./ast.
//
// Design: a chevrotain EmbeddedActionsParser with error recovery, built once at module
// load. Nodes are created as soon as their leading keyword is consumed and are attached to
// their parent (or the file) straight away; later tokens fill them in. So when chevrotain
// abandons a rule to re-sync (a statement with a missing piece, a block left open at the end
// of the file), everything parsed so far stays in the tree, with placeholder `Ident`s
// (name "") where tokens are missing. `finally` blocks set each node's end, whatever happens.

import { EmbeddedActionsParser, EOF, tokenMatcher, type IOrAlt, type IParserErrorMessageProvider, type IRecognitionException, type IToken, type TokenType } from 'chevrotain';
import { ChunkedParser, type NextHead, type PieceResult } from './chunks';
import { STMT_KINDS } from './statements';
import {
  durationValue,
  type Block,
  type DataDecl,
  type DeviceDecl,
  type DrmDecl,
  type ModuleDecl,
  type MutexDecl,
  type RevocableDecl,
  type TimerDecl,
  type PtimerDecl,
  type IrqDecl,
  type KrefDecl,
  type AttrDecl,
  type CdevDecl,
  type SpinlockDecl,
  type CompletionDecl,
  type CallbackPrefix,
  type QueueStmt,
  type CancelStmt,
  type Decl,
  type Diagnostic,
  type DriverDecl,
  type DriverOption,
  type Duration,
  type ExpectDecl,
  type FenceDecl,
  type FileNode,
  type HandlerDecl,
  type HandlerEvent,
  type Ident,
  type IntLit,
  type Position,
  type Range,
  type SimpleOp,
  type Stmt,
  type StringLit,
  type ThreadDecl,
  type WorkDecl,
} from './ast';
import {
  BadNumber,
  BareDeclKw,
  BoolKw,
  Colon,
  DelayKw,
  DurationTok,
  ExpectModeKw,
  FaultWord,
  GuardKw,
  HandlerEventKw,
  Identifier,
  IntegerTok,
  KEYWORDS,
  KW,
  KeywordAsName,
  LBrace,
  ManagedKw,
  OnDeclKw,
  RBrace,
  Slash,
  SimpleStmtKw,
  StringTok,
  WaitKw,
  isRealToken,
  lex,
  parserTokens,
  stringValue,
  tokenEnd,
  tokenRange,
  tokenStart,
  type Comment,
} from './lexer';

export interface ParseResult {
  file: FileNode;
  /** syntax errors (code `syntax`), sorted by position */
  diagnostics: Diagnostic[];
  /** the comments of the text, in order (for the formatter and folding) */
  comments: Comment[];
}

// ---------------------------------------------------------------- error messages

export const STATEMENT_HINT = 'a statement such as `open`, `wait`, `unplug`…';
export const DECLARATION_HINT = 'a declaration such as `module`, `driver`, `thread`, `expect`…';

const keywordTypes = new Set<TokenType>(KEYWORDS.map((k) => KW[k]));
const stmtKeywordTypes = new Set<TokenType>(STMT_KINDS.map((k) => KW[k]));

function labelOf(t: TokenType): string {
  if (t === EOF) return 'the end of the file';
  return t.LABEL ?? `\`${t.name}\``;
}

/** While a chunk that is not the file's last is parsed: what follows it (grammar/chunks.ts). */
let following: { found: string; range: Range } | undefined;

function found(t: IToken | undefined): string {
  if (!t || !isRealToken(t) || t.tokenType === EOF) return following?.found ?? 'the end of the file';
  const img = t.image.length > 24 ? `${t.image.slice(0, 24)}…` : t.image;
  return keywordTypes.has(t.tokenType) ? `the keyword \`${img}\`` : `\`${img}\``;
}

function joinOr(items: string[]): string {
  const unique = [...new Set(items)];
  if (unique.length <= 1) return unique[0] ?? 'something else';
  return `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
}

function topLevelMessage(actual: IToken): string {
  if (actual.tokenType === KW.scenario) return `\`scenario\` may appear only once, at the start of the file: expected ${DECLARATION_HINT}`;
  const base = `expected ${DECLARATION_HINT} but found ${found(actual)}`;
  return stmtKeywordTypes.has(actual.tokenType) ? `${base} (statements belong inside a \`thread\`, \`on\` or \`work\` block)` : base;
}

const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, ruleName }) {
    if (expected === EOF) return topLevelMessage(actual);
    if (expected === RBrace && ruleName === 'block') return `expected ${STATEMENT_HINT} or \`}\` but found ${found(actual)}`;
    if (expected === RBrace && ruleName === 'driverDecl') {
      return `expected a driver option such as \`fops_owner: no\` or \`}\` but found ${found(actual)}`;
    }
    return `expected ${labelOf(expected)} but found ${found(actual)}`;
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    return topLevelMessage(firstRedundant);
  },
  buildNoViableAltMessage({ expectedPathsPerAlt, actual, ruleName }) {
    const first = actual[0];
    if (ruleName === 'stmt') return `expected ${STATEMENT_HINT} but found ${found(first)}`;
    if (ruleName === 'file') return first ? topLevelMessage(first) : `expected ${DECLARATION_HINT}`;
    if (ruleName === 'expectDecl') return `expected \`clean\` or a fault kind such as \`deadlock\` or \`use-after-free\` but found ${found(first)}`;
    if (ruleName === 'declName') return `expected a name but found ${found(first)}`;
    if (ruleName === 'threadName') return `expected a thread name (\`app\`, \`kworker/w\`, \`timer/t\`, \`irq/i\`) but found ${found(first)}`;
    const value = VALUE_RULES[ruleName];
    if (value) return `expected ${value.expected.LABEL} but found ${found(first)}`;
    const labels = expectedPathsPerAlt.flatMap((alt) => alt.map((path) => (path[0] ? labelOf(path[0]) : 'nothing')));
    return `expected ${joinOr(labels)} but found ${found(first)}`;
  },
  buildEarlyExitMessage({ expectedIterationPaths, actual }) {
    const labels = expectedIterationPaths.map((path) => (path[0] ? labelOf(path[0]) : 'nothing'));
    return `expected ${joinOr(labels)} but found ${found(actual[0])}`;
  },
};

// ---------------------------------------------------------------- values

// Tokens that may stand where a value belongs, by mistake (`sleep 5`, `repeat 2ms`, `log hi`).
// The value rules take any of them, so that one error is reported and the statement, and
// what follows it, still parse; chevrotain alone would re-sync at the next `}` and close the
// enclosing block early.
const VALUE_LIKE: TokenType[] = [DurationTok, IntegerTok, BadNumber, StringTok, Identifier, FaultWord];
const VALUE_RULES: Record<string, { expected: TokenType }> = {
  durationValue: { expected: DurationTok },
  countValue: { expected: IntegerTok },
  textValue: { expected: StringTok },
};

const START: Position = { line: 1, column: 1, offset: 0 };

function point(p: Position): Range {
  return { start: p, end: p };
}

/** The value of an integer as written (`1_000`); NaN if it is not one. */
export function integerValue(text: string): number {
  if (!/^[0-9][0-9_]*$/.test(text)) return NaN;
  return Number(text.includes('_') ? text.replace(/_/g, '') : text);
}

// Only tokens whose absence leaves a well-formed placeholder may be invented by single-token
// insertion: a missing name becomes an Ident "", a missing `{` an empty block start. Category
// tokens (`yes`/`no`, handler events…) are not: there is no honest placeholder for them.
const insertable = new Set<TokenType>([LBrace, RBrace, Colon, Identifier, StringTok, DurationTok, IntegerTok, KW.on, KW.in, KW.binds]);

// Nodes whose content is partly a guess made while recovering from a syntax error (a
// handler whose event was misspelt, data without `devm`/`drmm`, an option without a value).
// The analysis does not report kind errors that only the guess would cause.
const recovered = new WeakSet<object>();

/** Whether the parser had to guess part of `node` (its syntax error is already reported). */
export function isRecovered(node: object): boolean {
  return recovered.has(node);
}

// Placeholders for parts not parsed yet. A node starts with them and `finish` replaces any
// that are left (the rule failed first) by fresh empty values at the point parsing stopped;
// sharing them until then saves allocating placeholders that are nearly always overwritten.
const ZERO: Range = point(START);
const MISSING_IDENT: Ident = Object.freeze({ name: '', range: ZERO });
const MISSING_BLOCK: Block = Object.freeze({ stmts: [] as Stmt[], range: ZERO });
const MISSING_DURATION: Duration = Object.freeze({ ns: 0, text: '', range: ZERO });
const MISSING_INT: IntLit = Object.freeze({ value: 0, text: '', range: ZERO });
const MISSING_STRING: StringLit = Object.freeze({ value: '', range: ZERO });

// ---------------------------------------------------------------- the parser

class LifetimeParser extends EmbeddedActionsParser {
  decls: Decl[] = [];
  scenario: StringLit | undefined;
  /** the statement list of the block being parsed */
  private sink: Stmt[] | undefined;
  /** errors found by the grammar actions, beyond chevrotain's */
  extra: Diagnostic[] = [];

  constructor() {
    super(parserTokens, { recoveryEnabled: true, maxLookahead: 1, errorMessageProvider: messages });
    this.performSelfAnalysis();
    if (typeof (this as unknown as { getFollowsForInRuleRecovery?: unknown }).getFollowsForInRuleRecovery === 'function') this.cacheFollows();
  }

  begin(tokens: IToken[]): void {
    this.decls = [];
    this.scenario = undefined;
    this.extra = [];
    this.sink = undefined;
    this.identTok = undefined;
    this.input = tokens;
  }

  override canTokenTypeBeInsertedInRecovery(tokType: TokenType): boolean {
    return insertable.has(tokType);
  }

  /**
   * Installs a cache over chevrotain's follow-set computation for single-token recovery: it
   * walks the grammar on every mismatched token, which made a file with thousands of errors
   * take seconds. The grammar is fixed, so the result depends only on the grammar path.
   */
  private cacheFollows(): void {
    type Internals = {
      getFollowsForInRuleRecovery(tokType: TokenType, idx: number): TokenType[];
      getCurrentGrammarPath(tokType: TokenType, idx: number): { ruleStack: string[]; occurrenceStack: number[] };
    };
    const self = this as unknown as Internals;
    const compute = self.getFollowsForInRuleRecovery.bind(this);
    const cache = new Map<string, TokenType[]>();
    self.getFollowsForInRuleRecovery = (tokType: TokenType, idx: number): TokenType[] => {
      const path = self.getCurrentGrammarPath(tokType, idx);
      const key = `${path.ruleStack.join(',')}|${path.occurrenceStack.join(',')}|${tokType.tokenTypeIdx}|${idx}`;
      let follows = cache.get(key);
      if (!follows) {
        follows = compute(tokType, idx);
        if (cache.size > 10_000) cache.clear();
        cache.set(key, follows);
      }
      return follows;
    };
  }

  // ---------------------------------------------------------------- helpers (not rules)

  /** Where a missing token would be: just after the last real token consumed. */
  private here(): Position {
    const prev = this.LA(0);
    if (prev === this.identTok) return this.identEnd; // most nodes end with a name: share its end
    return isRealToken(prev) ? tokenEnd(prev) : START;
  }

  private identTok: IToken | undefined;
  private identEnd: Position = START;

  /** Sets the end of `n` and replaces the placeholders of what was never parsed. */
  private finish(n: { range: Range }): void {
    const end = this.here();
    n.range = { start: n.range.start, end: end.offset >= n.range.start.offset ? end : n.range.start };
    const fields = n as unknown as Record<string, unknown>;
    for (const k in fields) {
      const v = fields[k];
      if (v === MISSING_IDENT) fields[k] = { name: '', range: point(end) };
      else if (v === MISSING_BLOCK) fields[k] = { stmts: [], range: point(end) };
      else if (v === MISSING_DURATION) fields[k] = { ns: 0, text: '', range: point(end) };
      else if (v === MISSING_INT) fields[k] = { value: 0, text: '', range: point(end) };
      else if (v === MISSING_STRING) fields[k] = { value: '', range: point(end) };
    }
  }

  private ident(t: IToken): Ident {
    if (!isRealToken(t) || t.tokenType === EOF) return { name: '', range: point(this.here()) };
    const range = tokenRange(t);
    this.identTok = t;
    this.identEnd = range.end;
    return { name: t.image, range };
  }

  private str(t: IToken | undefined): StringLit {
    if (!t || !isRealToken(t) || this.wrongValue(t, StringTok)) return { value: '', range: t && isRealToken(t) ? tokenRange(t) : point(this.here()) };
    return { value: stringValue(t), range: tokenRange(t) };
  }

  /** A declared name from `declName` (undefined when that rule had to re-sync). */
  private declared(t: IToken | undefined): Ident {
    return t ? this.ident(t) : MISSING_IDENT;
  }

  // `on` starts a handler only when what follows looks like one (`on remove x {`, or the
  // recoverable `on x {` and `on typo x {`); any other `on` at top level is the rest of a
  // broken declaration or statement, skipped by the re-sync instead of read as a handler.
  private handlerAhead(): boolean {
    if (this.LA(1).tokenType !== KW.on) return true;
    const t2 = this.LA(2);
    if (tokenMatcher(t2, HandlerEventKw)) return true;
    if (t2.tokenType !== Identifier) return false;
    const t3 = this.LA(3).tokenType;
    return t3 === LBrace || (t3 === Identifier && this.LA(4).tokenType === LBrace);
  }

  /** A value token from a value rule: the wrong kind of token is reported, and gives an empty value. */
  private wrongValue(t: IToken | undefined, expected: TokenType): boolean {
    if (!t || !isRealToken(t) || t.tokenType === expected) return false;
    let hint = '';
    if (expected === DurationTok && t.tokenType === IntegerTok) hint = ` (add a unit: \`${t.image}ms\`, or ns, us, s)`;
    this.report(`expected ${expected.LABEL} but found ${found(t)}${hint}`, t);
    return true;
  }

  private dur(t: IToken | undefined): Duration {
    if (!t || !isRealToken(t) || this.wrongValue(t, DurationTok)) return { ns: 0, text: '', range: t && isRealToken(t) ? tokenRange(t) : point(this.here()) };
    const ns = durationValue(t.image);
    return { ns: Number.isNaN(ns) ? 0 : ns, text: Number.isNaN(ns) ? '' : t.image, range: tokenRange(t) };
  }

  private int(t: IToken | undefined): IntLit {
    if (!t || !isRealToken(t) || this.wrongValue(t, IntegerTok)) return { value: 0, text: '', range: t && isRealToken(t) ? tokenRange(t) : point(this.here()) };
    const v = integerValue(t.image);
    return { value: Number.isNaN(v) ? 0 : v, text: Number.isNaN(v) ? '' : t.image, range: tokenRange(t) };
  }

  /** A syntax error found by a grammar action; `node` is then marked as recovered. */
  private report(message: string, t: IToken, node?: object): void {
    if (this.RECORDING_PHASE) return;
    if (node) recovered.add(node);
    this.extra.push(syntaxError(message, isRealToken(t) && t.tokenType !== EOF ? tokenRange(t) : point(this.here())));
  }

  private newBlock(): Block {
    return { stmts: [], range: point(this.here()) };
  }

  /** Gives `node` the range of keyword `kw` (its end is set by `finish`) and attaches it to `sink`. */
  private start<T extends Node>(sink: { push(x: T): unknown } | undefined, kw: IToken, node: Draft<T>): T {
    const n = node as unknown as T & { keywordRange?: Range };
    // A statement shares its keyword's range object until `finish` gives it its own.
    n.range = n.keywordRange ?? (isRealToken(kw) ? tokenRange(kw) : point(this.here()));
    if (sink && !this.RECORDING_PHASE) sink.push(n);
    return n;
  }

  // ---------------------------------------------------------------- rules

  private declAlts: IOrAlt<void>[] | undefined;

  file = this.RULE('file', () => {
    this.OPTION(() => {
      this.CONSUME(KW.scenario);
      this.scenario = this.str(this.SUBRULE(this.textValue));
    });
    this.MANY({
      GATE: () => this.handlerAhead(),
      DEF: () =>
        this.OR<void>((this.declAlts ??= [
          { ALT: () => this.SUBRULE(this.bareDecl) },
          { ALT: () => this.SUBRULE(this.driverDecl) },
          { ALT: () => this.SUBRULE(this.onDecl) },
          { ALT: () => this.SUBRULE(this.fenceDecl) },
          { ALT: () => this.SUBRULE(this.dataDecl) },
          { ALT: () => this.SUBRULE(this.workDecl) },
          { ALT: () => this.SUBRULE(this.timerDecl) },
          { ALT: () => this.SUBRULE(this.irqDecl) },
          { ALT: () => this.SUBRULE(this.krefDecl) },
          { ALT: () => this.SUBRULE(this.attrDecl) },
          { ALT: () => this.SUBRULE(this.handlerDecl) },
          { ALT: () => this.SUBRULE(this.threadDecl) },
          { ALT: () => this.SUBRULE(this.expectDecl) },
        ])),
    });
  });

  // module / device / mutex / spinlock / completion NAME
  bareDecl = this.RULE('bareDecl', () => {
    const kw = this.CONSUME(BareDeclKw);
    const d = this.start<ModuleDecl | DeviceDecl | MutexDecl | SpinlockDecl | CompletionDecl>(this.decls, kw, {
      kind: kw.image as 'module' | 'device' | 'mutex' | 'spinlock' | 'completion',
      name: MISSING_IDENT,
    });
    try {
      d.name = this.declared(this.SUBRULE(this.declName));
    } finally {
      this.finish(d);
    }
  });

  // drm / revocable / cdev NAME on DEVICE, ptimer NAME on REVOCABLE
  onDecl = this.RULE('onDecl', () => {
    const kw = this.CONSUME(OnDeclKw);
    const kind = kw.image as 'drm' | 'revocable' | 'cdev' | 'ptimer';
    const d = this.start<DrmDecl | RevocableDecl | CdevDecl | PtimerDecl>(
      this.decls,
      kw,
      kind === 'ptimer'
        ? { kind, name: MISSING_IDENT, revocable: MISSING_IDENT, deprecatedForm: false, keywordRange: tokenRange(kw) }
        : { kind, name: MISSING_IDENT, device: MISSING_IDENT },
    );
    try {
      d.name = this.declared(this.SUBRULE(this.declName));
      this.CONSUME(KW.on);
      const owner = this.ident(this.CONSUME2(Identifier));
      if (d.kind === 'ptimer') d.revocable = owner;
      else d.device = owner;
    } finally {
      this.finish(d);
    }
  });

  // timer NAME in DRIVER { … } (version 2, a kernel timer); timer NAME on REVOCABLE (the
  // version-1 form of `ptimer`, still a ptimer). The node is a kernel timer until `on` says
  // otherwise, so that a broken declaration is still kept.
  timerDecl = this.RULE('timerDecl', () => {
    const kw = this.CONSUME(KW.timer);
    const d = this.start<TimerDecl>(this.decls, kw, { kind: 'timer', name: MISSING_IDENT, driver: MISSING_IDENT, body: MISSING_BLOCK });
    try {
      d.name = this.declared(this.SUBRULE(this.declName));
      this.OR([
        {
          ALT: () => {
            this.CONSUME(KW.in);
            d.driver = this.ident(this.CONSUME(Identifier));
            d.body = this.newBlock();
            this.SUBRULE(this.block, { ARGS: [d.body] });
          },
        },
        {
          ALT: () => {
            this.CONSUME(KW.on);
            const revocable = this.ident(this.CONSUME2(Identifier));
            if (this.RECORDING_PHASE) return;
            const p = d as unknown as Record<string, unknown>;
            delete p.driver;
            delete p.body;
            Object.assign(p, { kind: 'ptimer', revocable, deprecatedForm: true, keywordRange: tokenRange(kw) } satisfies Partial<PtimerDecl>);
          },
        },
        {
          // `timer t { … }`: one error, and the callback still parses.
          ALT: () => {
            this.report(`expected \`in\` and a driver (a kernel timer) or \`on\` and a revocable (a ptimer) but found \`{\``, this.LA(1), d);
            d.body = this.newBlock();
            this.SUBRULE2(this.block, { ARGS: [d.body] });
          },
        },
      ]);
    } finally {
      this.finish(d);
    }
  });

  // irq NAME on DEVICE [threaded] [devm] { … }
  irqDecl = this.RULE('irqDecl', () => {
    const kw = this.CONSUME(KW.irq);
    const d = this.start<IrqDecl>(this.decls, kw, {
      kind: 'irq',
      name: MISSING_IDENT,
      device: MISSING_IDENT,
      threaded: false,
      devm: false,
      body: MISSING_BLOCK,
    });
    try {
      d.name = this.declared(this.SUBRULE(this.declName));
      this.CONSUME(KW.on);
      d.device = this.ident(this.CONSUME(Identifier));
      this.OPTION(() => {
        this.CONSUME(KW.threaded);
        d.threaded = true;
      });
      this.OPTION2(() => {
        this.CONSUME(KW.devm);
        d.devm = true;
      });
      d.body = this.newBlock();
      this.SUBRULE(this.block, { ARGS: [d.body] });
    } finally {
      this.finish(d);
    }
  });

  // kref NAME in DRIVER [devm]
  krefDecl = this.RULE('krefDecl', () => {
    const kw = this.CONSUME(KW.kref);
    const d = this.start<KrefDecl>(this.decls, kw, { kind: 'kref', name: MISSING_IDENT, driver: MISSING_IDENT, devm: false });
    try {
      d.name = this.declared(this.SUBRULE(this.declName));
      this.CONSUME(KW.in);
      d.driver = this.ident(this.CONSUME(Identifier));
      this.OPTION(() => {
        this.CONSUME(KW.devm);
        d.devm = true;
      });
    } finally {
      this.finish(d);
    }
  });

  // attr NAME on DEVICE { … }
  attrDecl = this.RULE('attrDecl', () => {
    const kw = this.CONSUME(KW.attr);
    const d = this.start<AttrDecl>(this.decls, kw, { kind: 'attr', name: MISSING_IDENT, device: MISSING_IDENT, body: MISSING_BLOCK });
    try {
      d.name = this.declared(this.SUBRULE(this.declName));
      this.CONSUME(KW.on);
      d.device = this.ident(this.CONSUME(Identifier));
      d.body = this.newBlock();
      this.SUBRULE(this.block, { ARGS: [d.body] });
    } finally {
      this.finish(d);
    }
  });

  fenceDecl = this.RULE('fenceDecl', () => {
    const kw = this.CONSUME(KW.fence);
    const d = this.start<FenceDecl>(this.decls, kw, { kind: 'fence', name: MISSING_IDENT, device: MISSING_IDENT });
    try {
      d.name = this.declared(this.SUBRULE(this.declName));
      this.CONSUME(KW.on);
      d.device = this.ident(this.CONSUME2(Identifier));
      this.OPTION(() => {
        this.CONSUME(KW.takes);
        d.takes = this.dur(this.SUBRULE(this.durationValue));
      });
    } finally {
      this.finish(d);
    }
  });

  dataDecl = this.RULE('dataDecl', () => {
    const kw = this.CONSUME(KW.data);
    const d = this.start<DataDecl>(this.decls, kw, { kind: 'data', name: MISSING_IDENT, managed: 'kzalloc' });
    try {
      d.name = this.declared(this.SUBRULE(this.declName));
      // `data NAME` alone is kzalloc'd data (version 2). `devm`/`drmm` missing or misspelt
      // before `on OWNER`: one error here, and `on OWNER` still parses (else chevrotain would
      // re-sync at that `on` and read it as a handler).
      this.OPTION(() => {
        this.OR([
          {
            ALT: () => {
              const m = this.CONSUME(ManagedKw);
              d.managed = m.image === 'drmm' ? 'drmm' : 'devm';
              d.owner = MISSING_IDENT;
              this.CONSUME(KW.on);
              d.owner = this.ident(this.CONSUME2(Identifier));
            },
          },
          {
            ALT: () => {
              const m = this.CONSUME3(Identifier);
              this.report(`expected \`devm\` or \`drmm\` but found \`${m.image}\``, m, d);
              d.managed = 'devm';
              d.owner = MISSING_IDENT;
              this.CONSUME2(KW.on);
              d.owner = this.ident(this.CONSUME4(Identifier));
            },
          },
          {
            ALT: () => {
              const on = this.CONSUME3(KW.on);
              this.report(`expected \`devm\` or \`drmm\` but found ${found(on)}`, on, d);
              d.managed = 'devm';
              d.owner = MISSING_IDENT;
              d.owner = this.ident(this.CONSUME5(Identifier));
            },
          },
        ]);
      });
    } finally {
      this.finish(d);
    }
  });

  driverDecl = this.RULE('driverDecl', () => {
    const kw = this.CONSUME(KW.driver);
    const d = this.start<DriverDecl>(this.decls, kw, {
      kind: 'driver',
      name: MISSING_IDENT,
      module: MISSING_IDENT,
      device: MISSING_IDENT,
      options: [],
    });
    try {
      d.name = this.declared(this.SUBRULE(this.declName));
      this.CONSUME(KW.in);
      d.module = this.ident(this.CONSUME2(Identifier));
      this.CONSUME(KW.binds);
      d.device = this.ident(this.CONSUME3(Identifier));
      this.OPTION(() => {
        this.CONSUME(LBrace);
        this.MANY(() => this.SUBRULE(this.driverOption, { ARGS: [d.options] }));
        this.CONSUME(RBrace);
      });
    } finally {
      this.finish(d);
    }
  });

  // NAME ':' ('yes' | 'no'); a name in place of the value is reported here, not by chevrotain,
  // so `fops_owner: maybe` gives one clear error and the next option still parses.
  driverOption = this.RULE('driverOption', (sink: DriverOption[] | undefined) => {
    const nameTok = this.CONSUME(Identifier);
    const o = this.start<DriverOption>(sink, nameTok, { name: this.ident(nameTok), value: false, valueRange: point(this.here()) });
    try {
      this.CONSUME(Colon);
      this.OR([
        {
          ALT: () => {
            const v = this.CONSUME(BoolKw);
            if (isRealToken(v)) {
              o.value = v.image === 'yes';
              o.valueRange = tokenRange(v);
            }
          },
        },
        {
          ALT: () => {
            const v = this.CONSUME2(Identifier);
            if (isRealToken(v)) o.valueRange = tokenRange(v);
            this.report(`expected \`yes\` or \`no\` but found \`${v.image}\``, v, o);
          },
        },
      ]);
    } finally {
      this.finish(o);
    }
  });

  workDecl = this.RULE('workDecl', () => {
    const kw = this.CONSUME(KW.work);
    const d = this.start<WorkDecl>(this.decls, kw, {
      kind: 'work',
      name: MISSING_IDENT,
      driver: MISSING_IDENT,
      body: MISSING_BLOCK,
    });
    try {
      d.name = this.declared(this.SUBRULE(this.declName));
      this.CONSUME(KW.in);
      d.driver = this.ident(this.CONSUME2(Identifier));
      d.body = this.newBlock();
      this.SUBRULE(this.block, { ARGS: [d.body] });
    } finally {
      this.finish(d);
    }
  });

  handlerDecl = this.RULE('handlerDecl', () => {
    const kw = this.CONSUME(KW.on);
    const d = this.start<HandlerDecl>(this.decls, kw, {
      kind: 'handler',
      event: 'remove',
      eventRange: point(this.here()),
      target: MISSING_IDENT,
      body: MISSING_BLOCK,
    });
    try {
      this.OR([
        {
          ALT: () => {
            const ev = this.CONSUME(HandlerEventKw);
            if (isRealToken(ev)) {
              d.event = ev.image as HandlerEvent;
              d.eventRange = tokenRange(ev);
            }
            d.target = this.ident(this.CONSUME(Identifier));
          },
        },
        {
          // A wrong event (`on unload nova_drm {`) or none (`on nova_drm {`): one error, and
          // the body still parses. The handler is marked recovered: its event is a guess.
          ALT: () => {
            const first = this.CONSUME2(Identifier);
            let target: IToken | undefined;
            this.OPTION(() => {
              target = this.CONSUME3(Identifier);
            });
            if (target) {
              d.target = this.ident(target);
              this.report(`expected \`remove\`, \`close\` or \`release\` but found \`${first.image}\``, first, d);
            } else {
              d.target = this.ident(first);
              this.report(`expected \`remove\`, \`close\` or \`release\` before \`${first.image}\``, first, d);
            }
          },
        },
      ]);
      d.body = this.newBlock();
      this.SUBRULE(this.block, { ARGS: [d.body] });
    } finally {
      this.finish(d);
    }
  });

  threadDecl = this.RULE('threadDecl', () => {
    const kw = this.CONSUME(KW.thread);
    const d = this.start<ThreadDecl>(this.decls, kw, { kind: 'thread', name: MISSING_IDENT, body: MISSING_BLOCK });
    try {
      d.name = this.declared(this.SUBRULE(this.declName));
      this.OPTION(() => {
        d.description = this.str(this.CONSUME(StringTok));
      });
      d.body = this.newBlock();
      this.SUBRULE(this.block, { ARGS: [d.body] });
    } finally {
      this.finish(d);
    }
  });

  // expect ('run'|'explore')? ('clean' | FAULT) ('in' THREAD)?
  // `in THREAD` after `clean` is accepted here and rejected by the analysis (bad-value), so
  // the thread name still resolves for the editor.
  expectDecl = this.RULE('expectDecl', () => {
    const kw = this.CONSUME(KW.expect);
    const d = this.start<ExpectDecl>(this.decls, kw, { kind: 'expect', mode: 'both', outcome: '', outcomeRange: point(this.here()) });
    try {
      this.OPTION(() => {
        const m = this.CONSUME(ExpectModeKw);
        d.mode = m.image === 'explore' ? 'explore' : 'run';
      });
      const setOutcome = (t: IToken): void => {
        if (isRealToken(t)) {
          d.outcome = t.image;
          d.outcomeRange = tokenRange(t);
        }
      };
      this.OR([
        { ALT: () => setOutcome(this.CONSUME(KW.clean)) },
        { ALT: () => setOutcome(this.CONSUME(Identifier)) },
        { ALT: () => setOutcome(this.CONSUME(FaultWord)) },
      ]);
      this.OPTION2(() => {
        this.CONSUME(KW.in);
        d.thread = MISSING_IDENT;
        this.SUBRULE(this.threadName, { ARGS: [d] });
      });
    } finally {
      this.finish(d);
    }
  });

  // THREAD, or a callback thread `kworker/w`, `timer/t`, `irq/i` (version 2), after `expect … in`
  threadName = this.RULE('threadName', (decl: ExpectDecl | undefined) => {
    // no decl while chevrotain records the grammar
    const d = decl ?? ({ kind: 'expect' } as ExpectDecl);
    const callback = (prefix: IToken): void => {
      if (!this.RECORDING_PHASE && isRealToken(prefix)) d.callback = { prefix: prefix.image as CallbackPrefix, range: tokenRange(prefix) };
    };
    this.OR2([
      {
        ALT: () => {
          const t = this.CONSUME2(Identifier);
          let slashed = false;
          this.OPTION3(() => {
            this.CONSUME2(Slash);
            slashed = true;
            d.thread = this.ident(this.CONSUME4(Identifier));
          });
          if (this.RECORDING_PHASE) return;
          if (!slashed) d.thread = this.ident(t);
          else if (t.image === 'kworker') d.callback = { prefix: 'kworker', range: tokenRange(t) };
          else this.report(`unknown callback thread prefix \`${t.image}\`: expected \`kworker\`, \`timer\` or \`irq\` before \`/\``, t, d);
        },
      },
      {
        ALT: () => {
          callback(this.CONSUME(KW.timer));
          this.CONSUME(Slash);
          d.thread = this.ident(this.CONSUME3(Identifier));
        },
      },
      {
        ALT: () => {
          callback(this.CONSUME(KW.irq));
          this.CONSUME3(Slash);
          d.thread = this.ident(this.consume(5, Identifier));
        },
      },
    ]);
  });

  // The declared name of a declaration; a keyword there is taken as the name, with an error.
  private declNameAlts: IOrAlt<IToken>[] | undefined;
  declName = this.RULE('declName', (): IToken => {
    return this.OR((this.declNameAlts ??= [
      { ALT: () => this.CONSUME(Identifier) },
      {
        ALT: () => {
          const t = this.CONSUME(KeywordAsName);
          this.report(`\`${t.image}\` is a keyword and cannot be used as a name`, t);
          return t;
        },
      },
    ]));
  });

  private valueAlts(): IOrAlt<IToken>[] {
    return VALUE_LIKE.map((t) => ({ ALT: () => this.CONSUME(t) }));
  }
  private durationAlts: IOrAlt<IToken>[] | undefined;
  private countAlts: IOrAlt<IToken>[] | undefined;
  private textAlts: IOrAlt<IToken>[] | undefined;
  durationValue = this.RULE('durationValue', (): IToken => this.OR((this.durationAlts ??= this.valueAlts())));
  countValue = this.RULE('countValue', (): IToken => this.OR((this.countAlts ??= this.valueAlts())));
  textValue = this.RULE('textValue', (): IToken => this.OR((this.textAlts ??= this.valueAlts())));

  block = this.RULE('block', (blk: Block | undefined) => {
    const b = blk ?? { stmts: [], range: point(START) };
    const open = this.CONSUME(LBrace);
    if (isRealToken(open)) b.range = { start: tokenStart(open), end: tokenEnd(open) };
    try {
      const outer = this.sink;
      this.sink = b.stmts;
      try {
        this.MANY(() => this.SUBRULE(this.stmt));
      } finally {
        this.sink = outer;
      }
      this.CONSUME(RBrace);
    } finally {
      this.finish(b);
    }
  });

  // The alternatives are built once (chevrotain allows it) and read the current block's
  // statement list from `this.sink`: a fresh array of 11 closures per statement was a good
  // part of the parse time of a large file.
  private stmtAlts: IOrAlt<void>[] | undefined;

  stmt = this.RULE('stmt', () => {
    this.OR((this.stmtAlts ??= this.makeStmtAlts()));
  });

  private makeStmtAlts(): IOrAlt<void>[] {
    return [
      {
        // close/get/put/… NAME: the keyword is the kind
        ALT: () => {
          const kw = this.CONSUME(SimpleStmtKw);
          const s = this.start<Stmt & { kind: SimpleOp }>(this.sink, kw, {
            kind: kw.image as SimpleOp,
            keywordRange: tokenRange(kw),
            target: MISSING_IDENT,
          });
          try {
            s.target = this.ident(this.CONSUME1(Identifier));
          } finally {
            this.finish(s);
          }
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(KW.open);
          const s = this.start<Stmt & { kind: 'open' }>(this.sink, kw, {
            kind: 'open',
            keywordRange: tokenRange(kw),
            file: MISSING_IDENT,
            target: MISSING_IDENT,
          });
          try {
            s.file = this.ident(this.CONSUME2(Identifier));
            this.CONSUME(KW.on);
            s.target = this.ident(this.CONSUME3(Identifier));
          } finally {
            this.finish(s);
          }
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(KW.ioctl);
          const s = this.start<Stmt & { kind: 'ioctl' }>(this.sink, kw, {
            kind: 'ioctl',
            keywordRange: tokenRange(kw),
            file: MISSING_IDENT,
            body: MISSING_BLOCK,
          });
          try {
            s.file = this.ident(this.CONSUME4(Identifier));
            s.body = this.newBlock();
            this.SUBRULE1(this.block, { ARGS: [s.body] });
          } finally {
            this.finish(s);
          }
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(GuardKw);
          const s = this.start<Stmt & { kind: 'enter' | 'access' }>(this.sink, kw, {
            kind: kw.image === 'access' ? 'access' : 'enter',
            keywordRange: tokenRange(kw),
            target: MISSING_IDENT,
            body: MISSING_BLOCK,
          });
          try {
            s.target = this.ident(this.CONSUME5(Identifier));
            s.body = this.newBlock();
            this.SUBRULE2(this.block, { ARGS: [s.body] });
            this.OPTION(() => {
              const ek = this.CONSUME(KW.else);
              const e = this.newBlock();
              s.elseBody = e;
              s.elseRange = tokenRange(ek);
              this.SUBRULE3(this.block, { ARGS: [e] });
            });
          } finally {
            this.finish(s);
          }
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(KW.rmmod);
          const s = this.start<Stmt & { kind: 'rmmod' }>(this.sink, kw, {
            kind: 'rmmod',
            keywordRange: tokenRange(kw),
            target: MISSING_IDENT,
            force: false,
          });
          try {
            s.target = this.ident(this.CONSUME6(Identifier));
            this.OPTION2(() => {
              this.CONSUME(KW.force);
              s.force = true;
            });
          } finally {
            this.finish(s);
          }
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(WaitKw);
          const s = this.start<Stmt & { kind: 'wait' | 'poll' }>(this.sink, kw, {
            kind: kw.image === 'poll' ? 'poll' : 'wait',
            keywordRange: tokenRange(kw),
            target: MISSING_IDENT,
          });
          try {
            s.target = this.ident(this.CONSUME7(Identifier));
            this.OPTION3(() => {
              this.CONSUME(KW.timeout);
              s.timeout = this.dur(this.SUBRULE1(this.durationValue));
            });
          } finally {
            this.finish(s);
          }
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(KW.signal);
          const s = this.start<Stmt & { kind: 'signal' }>(this.sink, kw, {
            kind: 'signal',
            keywordRange: tokenRange(kw),
            target: MISSING_IDENT,
            error: false,
          });
          try {
            s.target = this.ident(this.CONSUME8(Identifier));
            this.OPTION4(() => {
              this.CONSUME(KW.error);
              s.error = true;
            });
          } finally {
            this.finish(s);
          }
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(DelayKw);
          const s = this.start<QueueStmt>(this.sink, kw, {
            kind: kw.image === 'arm' ? 'arm' : 'queue',
            keywordRange: tokenRange(kw),
            target: MISSING_IDENT,
          });
          try {
            s.target = this.ident(this.CONSUME9(Identifier));
            this.OPTION5(() => {
              this.CONSUME(KW.after);
              s.after = this.dur(this.SUBRULE2(this.durationValue));
            });
          } finally {
            this.finish(s);
          }
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(KW.cancel);
          const s = this.start<CancelStmt>(this.sink, kw, {
            kind: 'cancel',
            keywordRange: tokenRange(kw),
            target: MISSING_IDENT,
            nosync: false,
          });
          try {
            s.target = this.ident(this.consume(10, Identifier));
            this.OPTION6(() => {
              this.CONSUME(KW.nosync);
              s.nosync = true;
            });
          } finally {
            this.finish(s);
          }
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(KW.sleep);
          const s = this.start<Stmt & { kind: 'sleep' }>(this.sink, kw, {
            kind: 'sleep',
            keywordRange: tokenRange(kw),
            duration: MISSING_DURATION,
          });
          try {
            s.duration = this.dur(this.SUBRULE3(this.durationValue));
          } finally {
            this.finish(s);
          }
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(KW.repeat);
          const s = this.start<Stmt & { kind: 'repeat' }>(this.sink, kw, {
            kind: 'repeat',
            keywordRange: tokenRange(kw),
            count: MISSING_INT,
            body: MISSING_BLOCK,
          });
          try {
            s.count = this.int(this.SUBRULE(this.countValue));
            s.body = this.newBlock();
            this.SUBRULE4(this.block, { ARGS: [s.body] });
          } finally {
            this.finish(s);
          }
        },
      },
      {
        ALT: () => {
          const kw = this.CONSUME(KW.log);
          const s = this.start<Stmt & { kind: 'log' }>(this.sink, kw, {
            kind: 'log',
            keywordRange: tokenRange(kw),
            text: MISSING_STRING,
          });
          try {
            s.text = this.str(this.SUBRULE(this.textValue));
          } finally {
            this.finish(s);
          }
        },
      },
    ];
  }
}

interface Node {
  range: Range;
}

/** A node without its range (distributes over unions). */
type Draft<T> = T extends unknown ? Omit<T, 'range'> : never;

function syntaxError(message: string, range: Range): Diagnostic {
  return { code: 'syntax', severity: 'error', message, range };
}

// ---------------------------------------------------------------- entry point

let instance: LifetimeParser | undefined;
function parser(): LifetimeParser {
  // Built on first use, once: performSelfAnalysis is the expensive part.
  instance ??= new LifetimeParser();
  return instance;
}
parser();

/** Position of the end of `text`, counting from the end of its last token. */
function endOfText(text: string, last: IToken | undefined): Position {
  let p = last && isRealToken(last) ? tokenEnd(last) : START;
  let { line, column } = p;
  for (let i = p.offset; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      column = 1;
    } else column++;
  }
  p = { line, column, offset: text.length };
  return p;
}

function errorRange(e: IRecognitionException, eof: Position): Range {
  const t = e.token;
  if (isRealToken(t) && t.tokenType !== EOF) return tokenRange(t);
  return following ? { start: { ...following.range.start }, end: { ...following.range.end } } : point(eof);
}

export function emptyFile(text: string): FileNode {
  return { range: { start: START, end: endOfText(text, undefined) }, decls: [] };
}

function internalError(e: unknown): string {
  // Hundreds of nested blocks exhaust the stack of the recursive-descent parser.
  if (e instanceof RangeError) return 'blocks are nested too deeply to parse; the rest of the file is ignored';
  return `internal parser error: ${e instanceof Error ? e.message : String(e)}`;
}

/** Parses `text`. Never throws: any failure is a `syntax` diagnostic. */
/**
 * Parses a file: declaration by declaration (grammar/chunks.ts), so that a syntax error
 * stays in its declaration. Never throws.
 */
export function parse(text: string): ParseResult {
  return new ChunkedParser(parsePiece).parse(text);
}

/**
 * Parses one piece of a file (one declaration, or the scenario line and the first
 * declaration), with `next` saying what follows it when it is not the last.
 */
export function parsePiece(text: string, next: NextHead | undefined): PieceResult {
  try {
    const lexed = lex(text);
    const p = parser();
    p.begin(lexed.tokens);
    const eof = endOfText(text, lexed.tokens[lexed.tokens.length - 1]);
    following = next && {
      found: `${KEYWORDS.includes(next.keyword as (typeof KEYWORDS)[number]) ? 'the keyword ' : ''}\`${next.keyword}\``,
      range: {
        start: { line: eof.line, column: eof.column + next.blanks, offset: eof.offset + next.blanks },
        end: { line: eof.line, column: eof.column + next.blanks + next.keyword.length, offset: eof.offset + next.blanks + next.keyword.length },
      },
    };
    // chevrotain reports each syntax error as an Error object; capturing their stack traces
    // was most of the time spent on a file full of errors. Restored before returning.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      p.file();
    } catch (e) {
      // chevrotain handles its own errors; anything else is ours. Keep what was parsed.
      p.extra.push(syntaxError(internalError(e), point(START)));
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    // Ranges of their own (the lexer shares a comment's), so that chunks.ts can move them.
    const diagnostics: Diagnostic[] = [...lexed.diagnostics, ...p.extra].map((d) => ({ ...d, range: { start: { ...d.range.start }, end: { ...d.range.end } } }));
    const seen = new Set<string>();
    const first = lexed.tokens.find((t) => isRealToken(t));
    let endError = false;
    let startError = false;
    for (const e of p.errors) {
      if (!isRealToken(e.token) || e.token.tokenType === EOF) endError = true;
      else if (first && e.token.startOffset === first.startOffset) startError = true;
      const range = errorRange(e, eof);
      const key = `${range.start.offset}:${e.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      diagnostics.push(syntaxError(e.message, range));
    }
    following = undefined;
    diagnostics.sort((a, b) => a.range.start.offset - b.range.start.offset);
    const file: FileNode = { range: { start: START, end: eof }, decls: p.decls };
    if (p.scenario) file.scenario = p.scenario;
    p.decls = [];
    p.scenario = undefined;
    return { file, diagnostics, comments: lexed.comments, endError, startError };
  } catch (e) {
    following = undefined;
    return {
      file: emptyFile(text),
      diagnostics: [syntaxError(internalError(e), point(START))],
      comments: [],
      endError: false,
      startError: false,
    };
  }
}
