// timer-not-cancelled: where it fires (the range under the line, marked `^^^`) and near misses.
import { describe, it } from 'vitest';
import { lintChecker } from './marks';

const check = lintChecker('timer-not-cancelled');

describe('timer-not-cancelled', () => {
  it('armed by a cdev ioctl, default remove, rmmod: the new remove keeps the default unplug and unregister', () => {
    check(`module led
device led0
driver led_drv in led binds led0
drm card0 on led0
cdev ctl on led0
timer blink in led_drv {
^^^^^^^^^^^^^^^^^^^^^^ timer-not-cancelled
  log "toggle"
}
thread app {
  open f on ctl
  ioctl f { arm blink after 5ms }
  close f
}
thread admin { rmmod led }
`, { fixed: `module led
device led0
driver led_drv in led binds led0
drm card0 on led0
cdev ctl on led0
timer blink in led_drv {
  log "toggle"
}

on remove led_drv {
  disable blink
  unplug card0
  unregister ctl
}
thread app {
  open f on ctl
  ioctl f { arm blink after 5ms }
  close f
}
thread admin { rmmod led }
` });
  });

  it('armed by another timer, an IRQ handler or an attribute; remove has only `cancel … nosync`; unbind', () => {
    check(`module wdt
device wdt0
driver wdt_drv in wdt binds wdt0
timer a in wdt_drv { arm b }
^^^^^^^^^^^^^^^^^^ timer-not-cancelled
timer b in wdt_drv { log "b" }
^^^^^^^^^^^^^^^^^^ timer-not-cancelled
timer c in wdt_drv { log "c" }
^^^^^^^^^^^^^^^^^^ timer-not-cancelled
irq i on wdt0 devm { arm a }
attr kick on wdt0 { arm c }
on remove wdt_drv {
  cancel a nosync
}
thread hw { raise i }
thread admin { show kick unbind wdt0 }
`, { fixed: `module wdt
device wdt0
driver wdt_drv in wdt binds wdt0
timer a in wdt_drv { arm b }
timer b in wdt_drv { log "b" }
timer c in wdt_drv { log "c" }
irq i on wdt0 devm { arm a }
attr kick on wdt0 { arm c }
on remove wdt_drv {
  disable a
  cancel a nosync
}
thread hw { raise i }
thread admin { show kick unbind wdt0 }
` });
  });

  it('near miss: cancelled or disabled in remove; armed only by a thread or only by itself; no teardown', () => {
    check(`module wdt
module other
device wdt0
device dev1
driver wdt_drv in wdt binds wdt0
driver other_drv in other binds dev1
cdev ctl on wdt0
timer a in wdt_drv { log "a" }
timer b in wdt_drv { log "b" }
timer c in wdt_drv { log "c" }
timer d in wdt_drv { arm d after 1ms }
timer e in other_drv { log "e" }
on remove wdt_drv {
  cancel a
  disable b
  unregister ctl
}
attr kick on dev1 { arm e }
thread app {
  open f on ctl
  ioctl f { arm a arm b }
  close f
  arm c
}
thread admin { show kick unbind wdt0 }
`);
  });
});
