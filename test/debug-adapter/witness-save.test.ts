// `lifetime/saveWitness` never writes over anything (issue 11): no existing file without
// `overwrite: true`, never a .lifetime file, no relative path out of the program's folder,
// a fresh default name; every refusal an error response saying why.

import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAdapter } from './build';
import { T, client, fixture, launch, next, type Client } from './helpers';

const HANDLER = fixture('handler.lifetime');

let dc: Client;
beforeAll(() => buildAdapter(), 120_000);
afterEach(async () => { await dc?.stop(); });

describe('lifetime/saveWitness never writes over anything', () => {
  /** A copy of the handler scenario in a fresh folder, debugged to a few steps in. */
  async function session(): Promise<{ dir: string; program: string }> {
    // one level down in a fresh folder, so `..` is fresh too
    const dir = join(mkdtempSync(join(tmpdir(), 'lifetime-save-')), 'drivers');
    mkdirSync(dir);
    const program = join(dir, 'prog.lifetime');
    copyFileSync(HANDLER, program);
    dc = await client();
    await launch(dc, { program, stopOnEntry: true });
    await next(dc, 1);
    await next(dc, 2);
    return { dir, program };
  }
  const save = async (args: unknown) => (await dc.customRequest('lifetime/saveWitness', args)).body as { path: string; schedule: string[] };

  it('the default name gets a fresh suffix each time', async () => {
    const { dir } = await session();
    writeFileSync(join(dir, 'prog.witness.json'), 'mine\n');
    const a = await save({});
    expect(a.path).toBe(join(dir, 'prog-2.witness.json'));
    const b = await save({});
    expect(b.path).toBe(join(dir, 'prog-3.witness.json'));
    expect(readFileSync(join(dir, 'prog.witness.json'), 'utf8')).toBe('mine\n');
    expect(JSON.parse(readFileSync(a.path, 'utf8'))).toEqual(a.schedule);
  }, T);

  it('an existing file is replaced only with overwrite: true', async () => {
    const { dir } = await session();
    const target = join(dir, 'w.json');
    writeFileSync(target, 'mine\n');
    await expect(save({ path: 'w.json' })).rejects.toThrow(/w\.json already exists: pass "overwrite": true to replace it/);
    expect(readFileSync(target, 'utf8')).toBe('mine\n');
    const r = await save({ path: 'w.json', overwrite: true });
    expect(r.path).toBe(target);
    expect(JSON.parse(readFileSync(target, 'utf8'))).toEqual(r.schedule);
    await expect(save({ path: 'w.json', overwrite: 'yes' })).rejects.toThrow(/overwrite must be true or false/);
  }, T);

  it('never writes over a .lifetime file, the running scenario included, even with overwrite', async () => {
    const { dir, program } = await session();
    const text = readFileSync(program, 'utf8');
    await expect(save({ path: 'prog.lifetime' })).rejects.toThrow(/never written over a \.lifetime file/);
    await expect(save({ path: 'prog.lifetime', overwrite: true })).rejects.toThrow(/never written over a \.lifetime file/);
    await expect(save({ path: program, overwrite: true })).rejects.toThrow(/never written over a \.lifetime file/);
    await expect(save({ path: 'new.lifetime' })).rejects.toThrow(/\.lifetime/);
    expect(readFileSync(program, 'utf8')).toBe(text);
    expect(existsSync(join(dir, 'new.lifetime'))).toBe(false);
  }, T);

  it('a relative path may not leave the program folder; an absolute one is the user\'s choice', async () => {
    const { dir } = await session();
    mkdirSync(join(dir, 'sub'));
    await expect(save({ path: '../escape.json' })).rejects.toThrow(/leaves the program's folder/);
    await expect(save({ path: 'sub/../../escape.json' })).rejects.toThrow(/leaves the program's folder/);
    expect(existsSync(join(dir, '..', 'escape.json'))).toBe(false);
    expect((await save({ path: 'sub/w.json' })).path).toBe(join(dir, 'sub', 'w.json'));
    const elsewhere = join(mkdtempSync(join(tmpdir(), 'lifetime-elsewhere-')), 'w.json');
    expect((await save({ path: elsewhere })).path).toBe(elsewhere);
    await expect(save({ path: 'sub' })).rejects.toThrow(/is a folder/);
  }, T);
});
