// The lints each sample gets, pinned: every rule fires where tools.md §3 says and nowhere
// else. A bug sample gets the lint that names its bug; the lints left on fixed twins are
// ones the text-only rules cannot rule out, and each sample's comments say why.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../grammar';
import { lint } from '../../server/lints';
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
