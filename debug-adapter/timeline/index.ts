// The lifetimes timeline: model (model.ts), whole-run recording (record.ts), SVG (svg.ts).

import type { Program } from '../runtime/program';
import { recordRun, type RecordOptions } from './record';
import { renderTimelineSvg, type SvgOptions } from './svg';

export * from './model';
export * from './record';
export * from './svg';

/** `lifetime run FILE --svg OUT.svg`: the run's (or a replayed witness's) timeline as a standalone SVG. */
export function renderRunSvg(p: Program, opts: RecordOptions = {}, svg: SvgOptions = {}): string {
  return renderTimelineSvg(recordRun(p, opts), { standalone: true, ...svg });
}
