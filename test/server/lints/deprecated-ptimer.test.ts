// deprecated-ptimer: where it fires (the range under the line, marked `^^^`) and near misses.
import { describe, it } from 'vitest';
import { lintChecker } from './marks';

const check = lintChecker('deprecated-ptimer');

describe('deprecated-ptimer', () => {
  it('the version-1 form, also when the PTIMER is called `ptimer`', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
revocable bar0 on gpu0
timer ptimer on bar0      // PTIMER
^^^^^ deprecated-ptimer
  timer clk on bar0
  ^^^^^ deprecated-ptimer
thread t { access bar0 { read ptimer read clk } }
`, { fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0
revocable bar0 on gpu0
ptimer ptimer on bar0      // PTIMER
  timer clk on bar0
thread t { access bar0 { read ptimer read clk } }
` });
  });

  it('near miss: `ptimer NAME on R`, and a kernel timer `timer NAME in DRIVER { … }`', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
revocable bar0 on gpu0
ptimer ptimer on bar0
timer tick in nova_drm { access bar0 { read ptimer } }
thread t { arm tick }
`);
  });
});
