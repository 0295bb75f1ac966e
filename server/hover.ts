// Hover: for a keyword, what the statement or declaration does to which lifetimes, in the
// kernel's terms (knowledge.ts); for a name, its declaration and its role.

import type { Hover } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  bodyOf,
  FAULT_KINDS,
  durationValue,
  walkStmts,
  type Decl,
  type FaultKind,
  type NamedDecl,
  type OpenStmt,
  type Stmt,
} from '../grammar/ast';
import type { Analysis, SymbolRef } from '../grammar/analysis';
import { declAt, tokenAt, type Compiled } from './compiled';
import { contains, toLspRange } from './convert';
import { DECL_DOCS, FAULT_DOCS, HANDLER_DOCS, MISC_DOCS, OPTION_DOCS, STMT_DOCS, renderDoc } from './knowledge';

export function hover(c: Compiled, doc: TextDocument, offset: number): Hover | null {
  const a = c.analysis;
  if (!a) return null;
  const ref = a.symbols.refAt(offset);
  if (ref && ref.ident.name !== '' && contains(ref.ident.range, offset)) {
    return { contents: { kind: 'markdown', value: describeRef(a, ref) }, range: toLspRange(doc, ref.ident.range) };
  }
  const tok = tokenAt(c, offset);
  if (!tok) return null;
  const range = { start: doc.positionAt(tok.start), end: doc.positionAt(tok.end) };
  const md = (value: string): Hover => ({ contents: { kind: 'markdown', value }, range });
  const d = declAt(c, offset);

  if (d?.kind === 'expect' && contains(d.outcomeRange, offset)) {
    if (d.outcome === 'clean') return md(renderDoc('**clean**', MISC_DOCS.clean!));
    if ((FAULT_KINDS as readonly string[]).includes(d.outcome)) return md(faultDoc(d.outcome as FaultKind));
  }
  if (tok.type === 'Identifier' && d?.kind === 'driver') {
    const o = d.options.find((x) => contains(x.name.range, offset));
    if (o && (o.name.name === 'fops_owner' || o.name.name === 'drm_holds_module')) {
      return md(renderDoc(`**${o.name.name}** — driver option`, OPTION_DOCS[o.name.name]));
    }
  }
  if (tok.type === 'Duration') {
    const ns = durationValue(tok.image);
    return md(`\`${tok.image}\` = ${ns.toLocaleString('en-US')} ns of virtual time`);
  }
  if (!tok.type.startsWith('Kw_')) return null;
  const kw = tok.image;
  if (kw === 'scenario') return md(renderDoc('**scenario**', DECL_DOCS.scenario!));
  if (!d) return null;

  if (d.range.start.offset === tok.start) {
    if (d.kind === 'handler') return md(renderDoc(`**on ${d.event}** — handler`, HANDLER_DOCS[d.event]));
    const doc = DECL_DOCS[kw];
    if (doc) return md(renderDoc(`**${kw}** — declaration`, doc));
  }
  if (d.kind === 'handler' && d.eventRange.start.offset === tok.start) {
    return md(renderDoc(`**on ${d.event}** — handler`, HANDLER_DOCS[d.event]));
  }
  const found = stmtWithKeyword(d, tok.start);
  if (found) return md(describeStmt(c, a, found.stmt, found.parents, d));
  const misc = MISC_DOCS[kw];
  if (misc) return md(renderDoc(`**${kw}**`, misc));
  return null;
}

function faultDoc(kind: FaultKind): string {
  return `**${kind}** — fault\n\n${FAULT_DOCS[kind]}.`;
}

function stmtWithKeyword(d: Decl, at: number): { stmt: Stmt; parents: Stmt[] } | undefined {
  const body = bodyOf(d);
  if (!body) return undefined;
  let out: { stmt: Stmt; parents: Stmt[] } | undefined;
  walkStmts(body, (s, parents) => {
    if (!out && s.keywordRange.start.offset === at) out = { stmt: s, parents: [...parents] };
  });
  return out;
}

/** The statement as written, on one line (its first line for a block statement). */
function headline(text: string, s: Stmt): string {
  const raw = text.slice(s.range.start.offset, s.range.end.offset);
  const brace = raw.indexOf('{');
  return (brace >= 0 ? `${raw.slice(0, brace)}{ … }` : raw).replace(/\s+/g, ' ').trim();
}

function describeStmt(c: Compiled, a: Analysis, s: Stmt, parents: Stmt[], owner: Decl): string {
  const doc = STMT_DOCS[s.kind];
  const out = ['```lifetime', headline(c.text, s), '```', `**${s.kind}** — ${doc.short}`, '', doc.text];
  if (doc.models) out.push('', `Models \`${doc.models}\`.`);
  const target = 'target' in s ? s.target : s.kind === 'ioctl' ? s.file : undefined;
  if (target && target.name !== '') {
    const r = a.symbols.refOf(target);
    if (r?.decl) out.push('', `On ${oneLine(a, r.decl)}.`);
  }
  const context: string[] = [];
  for (const p of parents) {
    if (p.kind === 'enter') context.push(`inside \`enter ${p.target.name}\` (a drm_dev_enter SRCU section: drm_dev_unplug waits for it)`);
    if (p.kind === 'access') context.push(`inside \`access ${p.target.name}\` (an RCU read-side section: must not sleep)`);
    if (p.kind === 'ioctl') context.push('inside an ioctl (driver code)');
  }
  if (owner.kind === 'handler') context.push(`in \`on ${owner.event} ${owner.target.name}\` (driver code: needs its module loaded)`);
  if (owner.kind === 'work') context.push(`in work \`${owner.name.name}\` (driver code run by kworker/${owner.name.name})`);
  if (context.length) out.push('', `Here: ${context.join('; ')}.`);
  return out.join('\n');
}

const KIND_NOUN: Record<string, string> = {
  module: 'module', device: 'device', driver: 'driver', drm: 'drm', revocable: 'revocable', ptimer: 'ptimer', timer: 'timer',
  irq: 'irq', kref: 'kref', spinlock: 'spinlock', completion: 'completion', cdev: 'cdev', attr: 'attr',
  fence: 'fence', data: 'data', work: 'work', mutex: 'mutex', thread: 'thread', file: 'file',
};

/** "drm `card0` (line 5)" */
function oneLine(_a: Analysis, d: NamedDecl | OpenStmt): string {
  if (d.kind === 'open') return `file \`${d.file.name}\` (opened on \`${d.target.name}\` at line ${d.range.start.line})`;
  return `${KIND_NOUN[d.kind]} \`${d.name.name}\` (line ${d.name.range.start.line})`;
}

function describeRef(a: Analysis, ref: SymbolRef): string {
  const d = ref.decl;
  if (!d) return `\`${ref.ident.name}\`: unknown name — nothing declares it`;
  const uses = a.symbols.referencesTo(d).filter((r) => !r.isDeclaration).length;
  const usage = `\n\nUsed ${uses} time${uses === 1 ? '' : 's'}.`;
  if (d.kind === 'open') {
    return (
      `**file \`${d.file.name}\`** — opened at line ${d.range.start.line}\n\n` +
      `An open \`struct file\` on drm \`${d.target.name}\`, local to its body: it holds a drm_device reference ` +
      '(taken by `drm_open`) and, with `fops_owner: yes`, a module reference (`fops->owner`), both dropped by `close` ' +
      '(or at thread exit).' + usage
    );
  }
  const head = `**${KIND_NOUN[d.kind]} \`${d.name.name}\`** — declared at line ${d.name.range.start.line}`;
  return `${head}\n\n${role(a, d)}${usage}`;
}

function declsOf<K extends NamedDecl['kind']>(a: Analysis, kind: K): Extract<NamedDecl, { kind: K }>[] {
  return a.file.decls.filter((x): x is Extract<NamedDecl, { kind: K }> => x.kind === kind);
}

function names(list: { name: { name: string } }[]): string {
  return list.length ? list.map((x) => `\`${x.name.name}\``).join(', ') : 'none';
}

function handlerLine(a: Analysis, event: string, target: string): string | undefined {
  const h = a.file.decls.find((x) => x.kind === 'handler' && x.event === event && x.target.name === target);
  return h ? `line ${h.range.start.line}` : undefined;
}

/** The role of a declaration in the kernel's terms, with its relations in this file. */
function role(a: Analysis, d: NamedDecl): string {
  switch (d.kind) {
    case 'module': {
      const drivers = declsOf(a, 'driver').filter((x) => x.module.name === d.name.name);
      return (
        'A kernel module (`struct module`): its code runs the handlers, ioctls and work items of its drivers; ' +
        'refcounted (`try_module_get`/`module_put`, open files through `fops->owner`), unloaded by `rmmod` ' +
        `(\`delete_module\`): live → going → gone.\n\nDrivers: ${names(drivers)}.`
      );
    }
    case 'device': {
      const on = (k: 'drm' | 'revocable' | 'fence') => declsOf(a, k).filter((x) => x.device.name === d.name.name);
      const drivers = declsOf(a, 'driver').filter((x) => x.device.name === d.name.name);
      return (
        'A `struct device` (a PCI GPU, say): present until `hotunplug`, bound to its driver from probe until `unbind`; ' +
        'the binding\'s devres (revocables, `devm` data, the drm device\'s binding reference) is released at unbind.\n\n' +
        `Driver: ${names(drivers)}. Drm devices: ${names(on('drm'))}. Revocables: ${names(on('revocable'))}. Fences: ${names(on('fence'))}.`
      );
    }
    case 'driver': {
      const opt = (n: string, dflt: boolean) => {
        const o = d.options.find((x) => x.name.name === n);
        return (o ? o.value : dflt) ? 'yes' : 'no';
      };
      const remove = handlerLine(a, 'remove', d.name.name);
      const close = handlerLine(a, 'close', d.name.name);
      return (
        `A driver in module \`${d.module.name}\` that binds device \`${d.device.name}\` (probed at the start). ` +
        `\`fops_owner: ${opt('fops_owner', true)}\`, \`drm_holds_module: ${opt('drm_holds_module', false)}\`.\n\n` +
        `remove(): ${remove ?? 'default (drm_dev_unplug of each drm device)'}; on close: ${close ?? 'none'}.`
      );
    }
    case 'drm': {
      const dev = d.device.name;
      const driver = declsOf(a, 'driver').find((x) => x.device.name === dev);
      const release = handlerLine(a, 'release', d.name.name);
      const data = declsOf(a, 'data').filter((x) => x.managed === 'drmm' && x.owner?.name === d.name.name);
      return (
        `On device \`${dev}\`: a \`drm_device\`, the uAPI object — refcounted (a kref starting at 1, the binding's ` +
        'reference that the devres release at unbind drops; `open` and `get` take more), unplugged by `drm_dev_unplug`, ' +
        'freed at the last `drm_dev_put` (which runs its release callback and its drmm actions).\n\n' +
        `Driver: ${driver ? `\`${driver.name.name}\` (module \`${driver.module.name}\`)` : 'none'}. ` +
        `On release: ${release ?? 'none'}. drmm data: ${names(data)}.`
      );
    }
    case 'revocable':
      return (
        `On device \`${d.device.name}\`: a \`Devres<T>\` (\`Revocable\`), an MMIO BAR mapping say — use it inside ` +
        '`access` (`try_access`, an RCU section); the devres release at unbind revokes it (`synchronize_rcu`, then unmap).'
      );
    case 'ptimer':
      return (
        `A GPU timer (PTIMER) in revocable \`${d.revocable.name}\`: \`read\` gives the clock through the BAR mapping.` +
        (d.deprecatedForm ? ' Written in the version-1 form `timer … on`: write `ptimer` (a `timer … in` is a kernel timer).' : '')
      );
    case 'timer':
      return (
        `A kernel timer (\`timer_list\`/\`hrtimer\`, \`timer_setup\` at probe) of driver \`${d.driver.name}\`: \`arm\` ` +
        '(`mod_timer`) makes its callback run on `timer/' + d.name.name + '` in atomic (softirq) context, where nothing may ' +
        'sleep. `remove` must stop it — `disable` (`timer_shutdown_sync`) or `cancel` (`timer_delete_sync`); a timer that ' +
        'nothing stops fires on freed data, or after rmmod on freed code.'
      );
    case 'irq':
      return (
        `An interrupt line of device \`${d.device.name}\`, requested at probe with ` +
        `\`${d.devm ? 'devm_' : ''}request_${d.threaded ? 'threaded_' : ''}irq\`: its handler runs on \`irq/${d.name.name}\` ` +
        `after each \`raise\`${d.threaded ? ' in a kthread (it may sleep)' : ', in hard-IRQ (atomic) context: nothing in it may sleep'}. ` +
        (d.devm
          ? 'The devres release frees it at unbind — after `remove()`, so the handler can still run on what remove freed.'
          : '`free_irq` (`synchronize_irq`) in `remove` must free it, or it stays requested after unbind.')
      );
    case 'kref':
      return (
        `An object of driver \`${d.driver.name}\` with an embedded \`kref\` (starts at 1, the creator's reference): \`get\`/\`put\` ` +
        '(`kref_get`/`kref_put`); the last put runs `on release ' + d.name.name + '` — driver code, so after rmmod it is ' +
        'code-after-unload.' + (d.devm ? ' `devm`: the devres release at unbind drops the first reference (`devm_add_action`).' : '')
      );
    case 'spinlock':
      return 'A `spinlock_t`: `lock` (`spin_lock`) spins and puts the thread in atomic context until `unlock`: nothing between may sleep.';
    case 'completion':
      return 'A `struct completion`: `wait` (`wait_for_completion[_timeout]`) sleeps until `complete` (`complete_all`: it stays done).';
    case 'cdev':
      return (
        `A character device node of the driver that binds \`${d.device.name}\` (\`cdev_add\` at probe). \`unregister\` ` +
        '(`cdev_del`) stops new opens, but files already open keep calling its ioctls after unbind: guard them.'
      );
    case 'attr':
      return (
        `A sysfs attribute of the driver that binds \`${d.device.name}\` (\`dev_groups\`): its block is \`show()\`, run under a ` +
        'kernfs active reference. Unbind drains those (`kernfs_drain`) before `remove()`: a show that waits for the ' +
        'unbinding thread deadlocks it.'
      );
    case 'fence':
      return (
        `On device \`${d.device.name}\`: a \`dma_fence\` of a GPU job, completed by the hardware ${d.takes ? d.takes.text : '1ms'} ` +
        'after `submit` while the device is present — never once it is hot-unplugged.'
      );
    case 'data':
      return d.managed === 'devm'
        ? `Driver state on device \`${d.owner?.name ?? ''}\`, allocated with \`devm_kzalloc\`: freed by the devres release at unbind — ` +
            'while open files, ioctls and work items can still reach it.'
        : d.managed === 'drmm'
          ? `Driver state on drm \`${d.owner?.name ?? ''}\`, allocated with \`drmm_kzalloc\`: freed when the drm_device is released ` +
            '(last `drm_dev_put`), so it lives as long as its users.'
          : 'Driver state allocated with `kzalloc` at probe and owned by nobody: only `free` (`kfree`) frees it; a second ' +
            '`free` is double-free, a use after it use-after-free.';
    case 'work':
      return (
        `A \`work_struct\` of driver \`${d.driver.name}\`: its body is module code, run on \`kworker/${d.name.name}\` after ` +
        '`queue`; remove() must `cancel` (`cancel_work_sync`) or `flush` it.'
      );
    case 'mutex':
      return 'A `struct mutex` (`mutex_lock`/`mutex_unlock`); held at thread end it is a leak.';
    case 'thread': {
      let n = 0;
      walkStmts(d.body, () => n++);
      return `A thread of the scenario${d.description ? `: "${d.description.value}"` : ''}. ${n} statement${n === 1 ? '' : 's'}.`;
    }
  }
}
