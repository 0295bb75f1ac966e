// Incremental parsing for the editor: the parse is per declaration (grammar/chunks.ts), and
// one ChunkedParser kept per document reuses the declarations whose text did not change —
// their nodes moved to their new place — instead of lexing and parsing them again. An edit
// inside one thread of a 10,000-line file then parses that thread only, with or without a
// syntax error in it, and the result is the one `lifetime check` gets for the same text.
// Name resolution and static errors follow (grammar/analysis.ts AnalysisCache): a reused
// declaration keeps its analysis while the names it looked up resolve as before.

import { AnalysisCache } from '../grammar/analysis';
import { ChunkedParser } from '../grammar/chunks';
import { parsePiece } from '../grammar/parser';

export { chunkStarts } from '../grammar/chunks';

export class IncrementalParser extends ChunkedParser {
  /** the analysis of each reused declaration, reused with it while what it names is unchanged */
  readonly analysis = new AnalysisCache();

  constructor() {
    super(parsePiece);
  }
}
