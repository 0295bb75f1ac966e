// Restricted Mode: what package.json declares must follow the one table of client/logic/trust.ts.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_TRUST, isCommandId, menuWhenNeeds, RESTRICTED_SETTINGS, trustCheck, untrustedSupport } from '../../client/logic/trust';

const pkg = JSON.parse(readFileSync(resolve(__dirname, '../../package.json'), 'utf8')) as {
  capabilities?: { untrustedWorkspaces?: { supported: unknown; description?: string; restrictedConfigurations?: string[] } };
  contributes: { commands: { command: string }[]; menus: Record<string, { command: string; when?: string }[]>; configuration: { properties: Record<string, unknown> } };
};

describe('workspace trust', () => {
  it('is declared, so the extension runs in Restricted Mode instead of being disabled there', () => {
    const cap = pkg.capabilities?.untrustedWorkspaces;
    expect(cap).toBeDefined();
    expect(cap!.supported).toBe(untrustedSupport());
    expect(cap!.description ?? '').toMatch(/simulated/);
  });

  it('classifies every contributed command (a new command must say whether it needs trust)', () => {
    const ids = pkg.contributes.commands.map((c) => c.command);
    for (const id of ids) expect(isCommandId(id), `${id} is missing from COMMAND_TRUST`).toBe(true);
    expect(Object.keys(COMMAND_TRUST).sort()).toEqual([...ids].sort());
  });

  it('hides the commands that need trust in Restricted Mode', () => {
    for (const [menu, entries] of Object.entries(pkg.contributes.menus)) {
      for (const e of entries) {
        if (!isCommandId(e.command)) continue;
        const need = menuWhenNeeds(e.command);
        if (need) expect(e.when ?? '', `${menu}: ${e.command}`).toContain(need);
      }
    }
  });

  it('refuses a command that builds or boots something in an untrusted workspace, and says why', () => {
    expect(trustCheck('simulated', 'Run Scenario', false)).toEqual({ ok: true });
    expect(trustCheck('trusted', 'Run on Linux', true)).toEqual({ ok: true });
    const r = trustCheck('trusted', 'Run on Linux', false);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/^Run on Linux builds and boots .* needs a trusted workspace/);
  });

  it('keeps an untrusted folder from setting the background exploration\'s bounds', () => {
    const restricted = pkg.capabilities?.untrustedWorkspaces?.restrictedConfigurations ?? [];
    expect([...restricted].sort()).toEqual([...RESTRICTED_SETTINGS].sort());
    for (const s of restricted) expect(pkg.contributes.configuration.properties[s], s).toBeDefined();
  });
});
