// The background exploration's progress, told to the client (a notification of our own,
// `lifetime/explorationStatus`): when an exploration of a document version starts, ends or
// is cancelled by an edit. The extension shows it in the status bar, so the user knows the
// exploration's diagnostics and their "Debug this interleaving" fixes are still to come.

export const EXPLORATION_STATUS = 'lifetime/explorationStatus';

export type ExplorationState = 'running' | 'done' | 'cancelled';

export interface ExplorationStatusParams {
  uri: string;
  version: number;
  state: ExplorationState;
  /** done: states visited, whether every schedule was tried, why not, faults found */
  states?: number;
  complete?: boolean;
  stopReason?: string;
  faults?: number;
  /** done: the worker could not explore */
  failure?: string;
}
