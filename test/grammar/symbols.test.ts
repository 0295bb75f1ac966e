import { describe, expect, it } from 'vitest';
import { compile, positionToOffset, type OpenStmt, type ThreadDecl } from '../../grammar/index';

const TEXT = `module nova
device gpu0
driver nova_drm in nova binds gpu0 { fops_owner: yes }
drm card0 on gpu0
thread app {
  close f
  open f on card0
  ioctl f { get card0 }
  open f on card0
}
thread other { open f on card0 close f get ghost }
on release card0 { }
expect leak in app
`;

describe('symbols', () => {
  const a = compile(TEXT);
  const s = a.symbols;
  const off = (line: number, column: number) => positionToOffset(TEXT, line, column);

  it('compiles cleanly but for the unknown name', () => {
    expect(a.diagnostics.map((d) => d.code)).toEqual(['unknown-name']);
  });

  it('byName holds the first declaration of each name', () => {
    expect([...s.byName.keys()]).toEqual(['nova', 'gpu0', 'nova_drm', 'card0', 'app', 'other']);
    expect(s.byName.get('card0')!.kind).toBe('drm');
    expect(s.declarations.get('card0')).toHaveLength(1);
  });

  it('refs cover every name occurrence, in source order, option names excepted', () => {
    const names = s.refs.map((r) => `${r.ident.name}${r.isDeclaration ? '!' : ''}`);
    expect(names).toEqual([
      'nova!', 'gpu0!', 'nova_drm!', 'nova', 'gpu0', 'card0!', 'gpu0', 'app!', 'f', 'f!', 'card0', 'f', 'card0', 'f!', 'card0',
      'other!', 'f!', 'card0', 'f', 'ghost', 'card0', 'app',
    ]);
    const offsets = s.refs.map((r) => r.ident.range.start.offset);
    expect([...offsets].sort((x, y) => x - y)).toEqual(offsets);
    const ghost = s.refs.find((r) => r.ident.name === 'ghost')!;
    expect([ghost.kind, ghost.decl]).toEqual([undefined, undefined]);
  });

  it('refAt finds the name under the cursor, its end included', () => {
    expect(s.refAt(off(4, 5))!.ident.name).toBe('card0');
    expect(s.refAt(off(4, 7))!.ident.name).toBe('card0');
    expect(s.refAt(off(4, 10))!.ident.name).toBe('card0'); // just after the name
    expect(s.refAt(off(4, 2))).toBeUndefined(); // on the keyword
    expect(s.refAt(off(3, 40))).toBeUndefined(); // on an option name
    expect(s.refAt(-5)).toBeUndefined();
    expect(s.refAt(TEXT.length + 5)).toBeUndefined();
    const f = s.refAt(off(6, 9))!;
    expect([f.ident.name, f.kind, f.isDeclaration, (f.decl as OpenStmt).range.start.line]).toEqual(['f', 'file', false, 7]);
  });

  it('referencesTo a declaration: the declaration and every use', () => {
    const card0 = s.byName.get('card0')!;
    expect(s.referencesTo(card0).map((r) => `${r.ident.range.start.line}:${r.ident.range.start.column}`)).toEqual([
      '4:5', '7:13', '8:17', '9:13', '11:26', '12:12',
    ]);
    expect(s.referencesTo(s.byName.get('app')!).map((r) => r.ident.range.start.line)).toEqual([5, 13]);
  });

  it('referencesTo an open: every open, close and ioctl of that file in its body only', () => {
    const app = s.byName.get('app') as ThreadDecl;
    const opens = s.fileOpens(app.body).get('f')!;
    expect(opens.map((o) => o.range.start.line)).toEqual([7, 9]);
    const lines = (o: OpenStmt) => s.referencesTo(o).map((r) => `${r.ident.range.start.line}${r.isDeclaration ? '!' : ''}`);
    expect(lines(opens[0]!)).toEqual(['6', '7!', '8', '9!']);
    expect(lines(opens[1]!)).toEqual(lines(opens[0]!));
    const other = s.byName.get('other') as ThreadDecl;
    expect(s.referencesTo(s.fileOpens(other.body).get('f')![0]!).map((r) => r.ident.range.start.column)).toEqual([21, 38]);
  });

  it('fileOpens of a nested block, and ownerOf a statement', () => {
    const app = s.byName.get('app') as ThreadDecl;
    const ioctl = app.body.stmts[2]!;
    expect(ioctl.kind).toBe('ioctl');
    if (ioctl.kind !== 'ioctl') return;
    expect(s.fileOpens(ioctl.body).size).toBe(0);
    expect(s.ownerOf(ioctl.body.stmts[0]!)).toBe(app);
    expect(s.ownerOf(ioctl)).toBe(app);
  });

  it('refOf maps an ident node to its resolution', () => {
    const app = s.byName.get('app') as ThreadDecl;
    expect(s.refOf(app.name)!.isDeclaration).toBe(true);
    const get = s.refs.find((r) => r.ident.range.start.line === 8 && r.ident.name === 'card0')!;
    expect(s.refOf(get.ident)).toBe(get);
  });

  it('a wrong-kind name resolves to what it names', () => {
    const b = compile('module m\nthread t { get m }\n');
    const r = b.symbols.refs.find((x) => !x.isDeclaration)!;
    expect([r.kind, r.decl?.kind]).toEqual(['module', 'module']);
  });
});
