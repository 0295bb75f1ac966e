// The lints each sample gets, pinned: every rule fires where tools.md §3 says and nowhere
// else. A bug sample gets the lint that names its bug; the lints left on fixed twins are
// ones the text-only rules cannot rule out, and each sample's comments say why.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../grammar';
import { LINT_CODES, lint } from '../../server/lints';
import { REPO } from '../shared';

const EXPECTED: Record<string, string[]> = {
  // remove has no drm_dev_unplug: the minor stays registered while the device is freed
  'bug-chrdev-open-vs-teardown.lifetime': ['unplug-without-remove@22'],
  // release callback of a module nothing pins
  'bug-drm-pagemap-provider-module.lifetime': ['release-without-module-ref@22'],
  'bug-dvb-fd-outlives-device.lifetime': ['unplug-without-remove@21', 'devm-data-in-uapi@26', 'devm-data-in-uapi@33'],
  'bug-media-close-after-unbind.lifetime': ['devm-data-in-uapi@22'],
  // the rule is about rmmod and an on release handler; the deadlock itself has no lint
  'bug-rust-devres-nested-drop.lifetime': ['release-without-module-ref@30'],
  'bug-vc4-devm.lifetime': ['devm-data-in-uapi@24'],
  'bug-work-after-remove.lifetime': ['work-not-cancelled@21', 'devm-data-in-uapi@22'],
  'drm-release-after-rmmod.lifetime': ['release-without-module-ref@22'],
  'fixed-chrdev-open-fails-when-dying.lifetime': [],
  // the fix holds the module from the importer's side, which the rule cannot see
  'fixed-drm-pagemap-module-ref.lifetime': ['release-without-module-ref@21'],
  'fixed-dvb-kref.lifetime': [],
  'fixed-media-cdev-tied-to-device.lifetime': [],
  // remove cancels the work before devres frees the state: correct, but still devm data in a work item
  'fixed-remove-cancels-work.lifetime': ['devm-data-in-uapi@24'],
  'fixed-rust-devres-refcount.lifetime': ['release-without-module-ref@21'],
  'fixed-vc4-drmm.lifetime': [],
  'four-lifetimes.lifetime': [],
  'hotunplug-deadlock-wait-in-enter.lifetime': ['wait-in-enter@30'],
  // failing fences in remove does not bound the wait: the lint stays, rightly
  'hotunplug-fix-fail-fences-in-remove.lifetime': ['wait-in-enter@34'],
  'hotunplug-fix-no-wait-in-enter.lifetime': [],
  'hotunplug-fix-wait-timeout.lifetime': [],
  'misc-open-file-pins-module.lifetime': [],
  'revocable-busy-wait-no-timeout.lifetime': ['poll-without-timeout@23'],
  'revocable-busy-wait-with-timeout.lifetime': [],
  'revocable-sleep-in-guard.lifetime': ['sleep-in-atomic@23'],
  'revocable-vs-drm-dev-enter.lifetime': ['wait-in-enter@38'],
};

const dir = join(REPO, 'samples');
const files = readdirSync(dir).filter((f) => f.endsWith('.lifetime')).sort();

describe('lints on the samples', () => {
  it('the table names every sample', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(files);
  });
  for (const f of files) {
    it(f, () => {
      const text = readFileSync(join(dir, f), 'utf8');
      const got = lint(compile(text), text).map((d) => `${d.code}@${d.range.start.line}`);
      expect(got).toEqual(EXPECTED[f]);
    });
  }
});

// The version-2 samples live in samples/v2 (its README says why); their README pins each one's
// lints in its table's last column (`—`: none). The lints must be exactly those codes.
describe('lints on the version-2 samples, as samples/v2/README.md pins them', () => {
  const v2 = join(REPO, 'samples/v2');
  const readme = readFileSync(join(v2, 'README.md'), 'utf8');
  const pinned = new Map<string, string[]>();
  for (const line of readme.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const file = /^`((?:bug|fixed)-[a-z0-9-]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!file) continue;
    const last = cells[cells.length - 2];
    pinned.set(`${file}.lifetime`, [...last.matchAll(/`([a-z-]+)`/g)].map((x) => x[1]).filter((c) => (LINT_CODES as string[]).includes(c)));
  }
  const v2files = readdirSync(v2).filter((f) => f.endsWith('.lifetime')).sort();

  it('the README names every sample', () => {
    expect([...pinned.keys()].sort()).toEqual(v2files);
    // The parse found the lints the README does pin, or this test checks nothing.
    expect([...pinned.values()].flat().sort()).toEqual(['sleep-in-atomic', 'sleep-in-atomic', 'timer-not-cancelled']);
  });
  for (const f of v2files) {
    it(f, () => {
      const text = readFileSync(join(v2, f), 'utf8');
      expect(lint(compile(text), text).map((d) => d.code)).toEqual(pinned.get(f) ?? ['(not in the README)']);
    });
  }
});
