// The lint rules of tools.md §3 (eleven of version 1, three more of version 2), one file each (server/lints/<code>.ts holds the
// rule and its quick fix). Each is a pure function of the scenario model; the rules are
// lexical (what the text says), not a run: the runtime finds the faults, these point at
// the code shapes that lead to them before anything runs.

import type { LintCode, Rule } from './types';
import { deprecatedPtimer } from './deprecated-ptimer';
import { devmDataInUapi } from './devm-data-in-uapi';
import { irqNotFreed } from './irq-not-freed';
import { missingFopsOwner } from './missing-fops-owner';
import { pollWithoutTimeout } from './poll-without-timeout';
import { releaseWithoutModuleRef } from './release-without-module-ref';
import { sleepInAtomic } from './sleep-in-atomic';
import { timerNotCancelled } from './timer-not-cancelled';
import { unbalancedRef } from './unbalanced-ref';
import { unguardedMmio } from './unguarded-mmio';
import { unplugWithoutRemove } from './unplug-without-remove';
import { unused } from './unused';
import { waitInEnter } from './wait-in-enter';
import { workNotCancelled } from './work-not-cancelled';

export const RULES = {
  'sleep-in-atomic': sleepInAtomic,
  'wait-in-enter': waitInEnter,
  'poll-without-timeout': pollWithoutTimeout,
  'unguarded-mmio': unguardedMmio,
  'missing-fops-owner': missingFopsOwner,
  'release-without-module-ref': releaseWithoutModuleRef,
  'unbalanced-ref': unbalancedRef,
  'unplug-without-remove': unplugWithoutRemove,
  'devm-data-in-uapi': devmDataInUapi,
  'work-not-cancelled': workNotCancelled,
  unused,
  'timer-not-cancelled': timerNotCancelled,
  'deprecated-ptimer': deprecatedPtimer,
  'irq-not-freed': irqNotFreed,
} as const satisfies Record<LintCode, Rule>;
