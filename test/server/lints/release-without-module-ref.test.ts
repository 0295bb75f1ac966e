// release-without-module-ref: where it fires (the range under the line, marked `^^^`) and near misses.
import { describe, it } from 'vitest';
import { lintChecker } from './marks';

const check = lintChecker('release-without-module-ref');

describe('release-without-module-ref', () => {
  it('release handler, default drm_holds_module, rmmod (no option block)', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
on release card0 {
^^^^^^^^^^^^^^^^ release-without-module-ref
  log "free"
}
thread admin { rmmod nova }
`, { fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0 {
  drm_holds_module: yes
}
drm card0 on gpu0
on release card0 {
  log "free"
}
thread admin { rmmod nova }
` });
  });

  it('release handler, drm_holds_module: no written out', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0 { drm_holds_module: no }
drm card0 on gpu0
on release card0 { log "free" }
^^^^^^^^^^^^^^^^ release-without-module-ref
thread admin { rmmod nova force }
`);
  });

  it('release handler, an option block with another option', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0 {
  fops_owner: yes
}
drm card0 on gpu0
on release card0 { log "free" }
^^^^^^^^^^^^^^^^ release-without-module-ref
thread admin { rmmod nova }
`, { fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0 {
  fops_owner: yes
  drm_holds_module: yes
}
drm card0 on gpu0
on release card0 { log "free" }
thread admin { rmmod nova }
` });
  });

  it('release handler, an empty option block', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0 { }
drm card0 on gpu0
on release card0 { log "free" }
^^^^^^^^^^^^^^^^ release-without-module-ref
thread admin { rmmod nova }
`);
  });

  it('near miss: drm_holds_module: yes', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0 { drm_holds_module: yes }
drm card0 on gpu0
on release card0 { log "free" }
thread admin { rmmod nova }
`);
  });

  it('near miss: nothing can rmmod the module', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
on release card0 { log "free" }
thread admin { unbind gpu0 }
`);
  });
});
