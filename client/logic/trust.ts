// Workspace trust (Restricted Mode). The extension runs no code of the workspace: a
// scenario is parsed and simulated, never compiled or executed, so every command that only
// reads `.lifetime` files works in an untrusted folder. A command that builds or boots
// something (a real kernel) must need a trusted workspace: each command says which in one
// table, the commands are registered through `client/trust.ts`, which refuses the trusted
// ones in Restricted Mode, and package.json's `capabilities.untrustedWorkspaces` and menus
// follow the table (test/client/trust.test.ts checks both against package.json).

/** Every command the extension contributes. */
export type CommandId =
  | 'lifetime.runScenario'
  | 'lifetime.exploreSchedules'
  | 'lifetime.debugScenario'
  | 'lifetime.replayWitness'
  | 'lifetime.debugWitness'
  | 'lifetime.showLifetimes'
  | 'lifetime.restartServer'
  | 'lifetime.runOnLinux';

/** `simulated`: works in Restricted Mode. `trusted`: builds or boots something, needs trust. */
export type TrustNeed = 'simulated' | 'trusted';

export const COMMAND_TRUST = {
  'lifetime.runScenario': 'simulated',
  'lifetime.exploreSchedules': 'simulated',
  // VS Code itself asks to trust the workspace before any debug session starts.
  'lifetime.debugScenario': 'simulated',
  'lifetime.replayWitness': 'simulated',
  'lifetime.debugWitness': 'simulated',
  'lifetime.showLifetimes': 'simulated',
  'lifetime.restartServer': 'simulated',
  // builds a kernel module and boots a kernel in QEMU
  'lifetime.runOnLinux': 'trusted',
} as const satisfies Record<CommandId, TrustNeed>;

export function trustNeed(id: CommandId): TrustNeed {
  return COMMAND_TRUST[id];
}

export function isCommandId(id: string): id is CommandId {
  return Object.hasOwn(COMMAND_TRUST, id);
}

/** Whether a command may run now; the refusal says why and what to do. */
export function trustCheck(need: TrustNeed, title: string, workspaceTrusted: boolean): { ok: true } | { ok: false; message: string } {
  if (need === 'simulated' || workspaceTrusted) return { ok: true };
  return {
    ok: false,
    message: `${title} builds and boots code from this workspace, so it needs a trusted workspace. ` +
      'Restricted Mode still lets you check, run, explore and view scenarios: they are simulated, never executed.',
  };
}

/** The `when` clause a command's menu entries need: trusted commands are hidden in Restricted Mode. */
export function menuWhenNeeds(id: CommandId): string | undefined {
  return trustNeed(id) === 'trusted' ? 'isWorkspaceTrusted' : undefined;
}

/**
 * Settings an untrusted workspace may not set (VS Code then uses the user's value): the
 * background exploration starts on its own when a file opens, so a folder's settings must
 * not make it run without end. The Explore command's bounds apply only when the user runs it.
 */
export const RESTRICTED_SETTINGS = [
  'lifetime.backgroundExploration.maxStates',
  'lifetime.backgroundExploration.timeLimitSeconds',
] as const;

/**
 * package.json's `capabilities.untrustedWorkspaces.supported`: `limited` when some command
 * needs trust or some setting is restricted (VS Code reads `restrictedConfigurations` only then).
 */
export function untrustedSupport(): true | 'limited' {
  return (Object.values(COMMAND_TRUST) as TrustNeed[]).includes('trusted') || RESTRICTED_SETTINGS.length > 0 ? 'limited' : true;
}
