// Every statement kind's runtime semantics, one table: the lowering (program.ts), the
// execution (kernel.ts), the explorer footprint (explorer/analysis.ts) and the stop test
// (explorer/por.ts) all look a kind up here. Checked against StmtKind: a kind missing from
// its object's module fails `tsc`.

import type { StmtKind } from '../../../grammar/ast';
import type { StmtSemantics } from './api';
import { DATA_STMTS } from './data';
import { DEVICE_STMTS } from './device';
import { DRM_STMTS } from './drm';
import { FENCE_STMTS } from './fence';
import { FILE_STMTS } from './file';
import { MODULE_STMTS } from './module';
import { MUTEX_STMTS } from './mutex';
import { REVOCABLE_STMTS } from './revocable';
import { SYNC_STMTS } from './sync';
import { THREAD_STMTS } from './thread';
import { WORK_STMTS } from './work';
import { CDEV_STMTS } from './cdev';
import { ATTR_STMTS } from './attr';
import { TIMER_STMTS } from './timer';
import { IRQ_STMTS } from './irq';

export type { LowerCx, StmtSemantics } from './api';

export const STMT_SEMANTICS: { readonly [K in StmtKind]: StmtSemantics<K> } = {
  ...FILE_STMTS,
  ...DRM_STMTS,
  ...MODULE_STMTS,
  ...REVOCABLE_STMTS,
  ...DEVICE_STMTS,
  ...FENCE_STMTS,
  ...DATA_STMTS,
  ...WORK_STMTS,
  ...TIMER_STMTS,
  ...IRQ_STMTS,
  ...MUTEX_STMTS,
  ...THREAD_STMTS,
  ...CDEV_STMTS,
  ...ATTR_STMTS,
  ...SYNC_STMTS,
} satisfies { [K in StmtKind]: StmtSemantics<K> };

/** The semantics of statement kind K, typed for a statement of any kind (the callers hold a CStmt). */
export function semantics<K extends StmtKind>(k: K): StmtSemantics<StmtKind> {
  return STMT_SEMANTICS[k] as unknown as StmtSemantics<StmtKind>;
}
