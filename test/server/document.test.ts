// The server's document text (server/document.ts) against vscode-languageserver-textdocument,
// the reference implementation of LSP's incremental sync: the same text, offsets and
// positions after any sequence of edits, with `\n`, `\r\n` and `\r` line breaks.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LineDocument, offsetAfter, offsetBefore } from '../../server/document';

const piece = fc.constantFrom('', 'a', 'thread t {', '\n', '\r\n', '\r', '  get card0\n', 'x\ny\nz', '}\r\n', '\u00e9');

describe('LineDocument', () => {
  it('matches TextDocument after random incremental and full edits', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 12 }).map((a) => a.join('')),
        fc.array(fc.tuple(fc.nat(40), fc.nat(60), fc.nat(40), fc.nat(60), fc.array(piece, { maxLength: 4 }).map((a) => a.join('')), fc.boolean()), { maxLength: 10 }),
        (text, edits) => {
          const ref = TextDocument.create('u', 'lifetime', 1, text);
          const mine = new LineDocument('u', 'lifetime', 1, text);
          let v = 1;
          for (const [l1, c1, l2, c2, ins, full] of edits) {
            v++;
            const change = full ? { text: ins } : { range: { start: { line: l1 % (ref.lineCount + 1), character: c1 }, end: { line: l2 % (ref.lineCount + 1), character: c2 } }, text: ins };
            const before = ref.getText();
            TextDocument.update(ref, [change], v);
            mine.update([change], v);
            expect(mine.getText()).toBe(ref.getText());
            expect(mine.length).toBe(ref.getText().length);
            // Offsets outside the edited span map back to the same character before the edit.
            const edits = mine.editsSince(v - 1);
            if (full) expect(edits).toBeUndefined();
            else {
              const after = ref.getText();
              for (let o = 0; o < after.length; o++) {
                const b = offsetBefore(edits!, o);
                if (b !== undefined) {
                  expect(before[b]).toBe(after[o]);
                  expect(offsetAfter(edits!, b)).toBe(o);
                }
              }
            }
            expect(mine.lineCount).toBe(ref.lineCount);
            for (let o = 0; o <= ref.getText().length; o++) expect(mine.positionAt(o)).toEqual(ref.positionAt(o));
            for (let line = 0; line <= ref.lineCount; line++) {
              for (const character of [0, 1, 3, 100]) expect(mine.offsetAt({ line, character })).toBe(ref.offsetAt({ line, character }));
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
