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

  // ---- version 2: a custom remove must unregister the device's cdevs too

  it('a custom remove that does not unregister a cdev, and one that forgets both', () => {
    check(`module uart
device uart0
driver uart_drv in uart binds uart0
cdev ttyX on uart0
cdev ttyY on uart0
on remove uart_drv {
^^^^^^^^^^^^^^^^^^ unplug-without-remove
  unregister ttyX
}
thread admin { unbind uart0 }
`, { fixed: `module uart
device uart0
driver uart_drv in uart binds uart0
cdev ttyX on uart0
cdev ttyY on uart0
on remove uart_drv {
  unregister ttyY
  unregister ttyX
}
thread admin { unbind uart0 }
` });
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
cdev ctl on gpu0
on remove nova_drm { log "remove" }
^^^^^^^^^^^^^^^^^^ unplug-without-remove
thread admin { hotunplug gpu0 }
`, { fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
cdev ctl on gpu0
on remove nova_drm { unplug card0 unregister ctl log "remove" }
thread admin { hotunplug gpu0 }
` });
  });

  it('near miss: cdevs unregistered; the default remove; a cdev of another device', () => {
    check(`module uart
device uart0
device uart1
driver uart_drv in uart binds uart0
driver other_drv in uart binds uart1
cdev ttyX on uart0
cdev ttyY on uart1
on remove uart_drv { unregister ttyX }
on remove other_drv { log "nothing of uart0" }
thread admin { unbind uart0 }
`);
  });
});
