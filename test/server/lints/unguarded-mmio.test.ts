// unguarded-mmio: where it fires (the range under the line, marked `^^^`) and near misses.
import { describe, it } from 'vitest';
import { lintChecker } from './marks';

const check = lintChecker('unguarded-mmio');

describe('unguarded-mmio', () => {
  it('read and write outside access, in the else block, under another revocable', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
revocable bar0 on gpu0
revocable bar1 on gpu0
timer ptimer on bar0
thread t {
  read bar0
  ^^^^^^^^^ unguarded-mmio
  access bar0 {
    log "ok"
  } else {
    write bar0     // else runs once revoked
    ^^^^^^^^^^ unguarded-mmio
  }
  access bar1 {
    read ptimer
    ^^^^^^^^^^^ unguarded-mmio
  }
  enter card0 { write bar1 }
                ^^^^^^^^^^ unguarded-mmio
}
`, { fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
revocable bar0 on gpu0
revocable bar1 on gpu0
timer ptimer on bar0
thread t {
  access bar0 {
    read bar0
  }
  access bar0 {
    log "ok"
  } else {
    write bar0     // else runs once revoked
  }
  access bar1 {
    read ptimer
  }
  enter card0 { write bar1 }
}
` });
  });

  it('near miss: read inside access of the same revocable; a timer inside access of its revocable', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
revocable bar0 on gpu0
timer ptimer on bar0
thread t {
  access bar0 {
    read bar0
    enter card0 {
      repeat 2 { write bar0 }
    }
    read ptimer
  }
}
`);
  });
});
