// unplug-without-remove: where it fires (the range under the line, marked `^^^`) and near misses.
import { describe, it } from 'vitest';
import { lintChecker } from './marks';

const check = lintChecker('unplug-without-remove');

describe('unplug-without-remove', () => {
  it('remove forgets unplug', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
on remove nova_drm {
^^^^^^^^^^^^^^^^^^ unplug-without-remove
  log "remove"
}
thread admin { unbind gpu0 }
`, { fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
on remove nova_drm {
  unplug card0
  log "remove"
}
thread admin { unbind gpu0 }
` });
  });

  it('remove unplugs one drm of two; empty remove body on hotunplug', () => {
    check(`module nova
device gpu0
device gpu1
driver nova_drm in nova binds gpu0
driver nova2 in nova binds gpu1
drm card0 on gpu0
drm card1 on gpu0
drm card2 on gpu1
on remove nova_drm { unplug card1 }
^^^^^^^^^^^^^^^^^^ unplug-without-remove
on remove nova2 {}
^^^^^^^^^^^^^^^ unplug-without-remove
thread admin {
  hotunplug gpu0
  hotunplug gpu1
}
`);
  });

  it('near miss: remove unplugs (nested); default remove; no drm; no unbind', () => {
    check(`module nova
device gpu0
device gpu1
device gpu2
driver a in nova binds gpu0
driver b in nova binds gpu1
driver c in nova binds gpu2
drm card0 on gpu0
drm card1 on gpu1
revocable bar2 on gpu2
on remove a {
  enter card0 { log "x" } else { log "y" }
  repeat 1 { unplug card0 }
}
on remove c { log "no drm here" }
thread admin {
  unbind gpu0
  unbind gpu1
  hotunplug gpu2
  access bar2 { log "z" }
  open f on card1
  close f
}
`);
  });

  it('near miss: a remove that forgets unplug, but nothing unbinds', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
on remove nova_drm { log "remove" }
thread admin { rmmod nova }
`);
  });
});
