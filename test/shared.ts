// Where the shared contract lives: ../shared beside the clone (always there in CI; a
// user's fresh clone may not have it, and then the suites that read it say so and skip).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..');
export const SHARED = resolve(REPO, '../shared');
export const CONFORMANCE = join(SHARED, 'conformance');
export const HAS_SHARED = existsSync(CONFORMANCE);

export function conformanceFiles(): string[] {
  if (!HAS_SHARED) return [];
  const v1 = readdirSync(CONFORMANCE).filter((f) => f.endsWith('.lifetime')).sort().map((f) => join(CONFORMANCE, f));
  const v2dir = join(CONFORMANCE, 'v2');
  const v2 = existsSync(v2dir)
    ? readdirSync(v2dir).filter((f) => f.endsWith('.lifetime')).sort().map((f) => join(v2dir, f))
    : [];
  return [...v1, ...v2];
}

let said = false;
/** Says once, in one line, that the shared conformance files are absent. */
export function noteMissingShared(): void {
  if (!HAS_SHARED && !said) {
    said = true;
    console.log(`../shared/conformance not found beside the clone (${CONFORMANCE}): skipping the conformance cases`);
  }
}

/** The `.lifetime` files of one folder, by name (none when the folder is absent). */
export function lifetimeFiles(dir: string): { name: string; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.lifetime')).sort().map((f) => ({ name: f, text: readFileSync(join(dir, f), 'utf8') }));
}

/** Every scenario the property tests perturb: the samples (v1 and v2), the conformance files and the LSP fixtures. */
export function scenarioCorpus(): { name: string; text: string }[] {
  return [
    ...lifetimeFiles(join(REPO, 'samples')),
    ...lifetimeFiles(join(REPO, 'samples/v2')),
    ...lifetimeFiles(CONFORMANCE),
    ...lifetimeFiles(join(CONFORMANCE, 'v2')),
    ...lifetimeFiles(join(REPO, 'test/lsp/fixtures')),
  ];
}
