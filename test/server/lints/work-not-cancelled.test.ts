// work-not-cancelled: where it fires (the range under the line, marked `^^^`) and near misses.
import { describe, it } from 'vitest';
import { lintChecker } from './marks';

const check = lintChecker('work-not-cancelled');

describe('work-not-cancelled', () => {
  it('work queued by an ioctl, default remove, rmmod', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
work retire in nova_drm {
^^^^^^^^^^^^^^^^^^^^^^^ work-not-cancelled
  log "retire"
}
thread app {
  open f on card0
  ioctl f { queue retire after 5ms }
  close f
}
thread admin { rmmod nova }
`, { fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
work retire in nova_drm {
  log "retire"
}

on remove nova_drm {
  cancel retire
  unplug card0
}
thread app {
  open f on card0
  ioctl f { queue retire after 5ms }
  close f
}
thread admin { rmmod nova }
` });
  });

  it('work queued by a handler and by another work, remove without cancel, hotunplug', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
work a in nova_drm { queue b }
^^^^^^^^^^^^^^^^^^ work-not-cancelled
work b in nova_drm { log "b" }
^^^^^^^^^^^^^^^^^^ work-not-cancelled
on close nova_drm { queue a }
on remove nova_drm {
  unplug card0
}
thread app {
  open f on card0
  close f
  hotunplug gpu0
}
`, { fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
work a in nova_drm { queue b }
work b in nova_drm { log "b" }
on close nova_drm { queue a }
on remove nova_drm {
  cancel a
  unplug card0
}
thread app {
  open f on card0
  close f
  hotunplug gpu0
}
` });
  });

  it('near miss: cancelled or flushed in remove; queued only by a thread; no teardown', () => {
    check(`module nova
module other
device gpu0
device gpu1
driver nova_drm in nova binds gpu0
driver other_drm in other binds gpu1
drm card0 on gpu0
drm card1 on gpu1
work a in nova_drm { log "a" }
work b in nova_drm { log "b" }
work c in nova_drm { log "c" }
work d in other_drm { log "d" }
on remove nova_drm {
  cancel a
  flush b
  unplug card0
}
on close other_drm { queue d }
thread app {
  open f on card0
  ioctl f { queue a queue b }
  close f
  queue c
  open g on card1
  close g
}
thread admin { rmmod nova }
`);
  });
});
