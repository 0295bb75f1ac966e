// devm-data-in-uapi: where it fires (the range under the line, marked `^^^`) and near misses.
import { describe, expect, it } from 'vitest';
import { compile } from '../../../grammar/index';
import { lint } from '../../../server/lints';
import { lintChecker } from './marks';

const check = lintChecker('devm-data-in-uapi');

describe('devm-data-in-uapi', () => {
  it('devm data in close, ioctl, release and work', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
data st devm on gpu0
on close nova_drm { use st }
                    ^^^^^^ devm-data-in-uapi
on release card0 { use st }
                   ^^^^^^ devm-data-in-uapi
work w in nova_drm { use st }
                     ^^^^^^ devm-data-in-uapi
thread app {
  open f on card0
  ioctl f {
    use st
    ^^^^^^ devm-data-in-uapi
    queue w
  }
  close f
}
`, { fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
data st drmm on card0
on close nova_drm { use st }
on release card0 { use st }
work w in nova_drm { use st }
thread app {
  open f on card0
  ioctl f {
    use st
    queue w
  }
  close f
}
` });
  });

  it('devm data of a device with two drm devices: no fix', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
drm card1 on gpu0
data st devm on gpu0
on close nova_drm { use st }
                    ^^^^^^ devm-data-in-uapi
thread app {
  open f on card1
  close f
}
`, { fixes: 0 });
  });

  it('near miss: devm data from a thread body and from remove; drmm data in close', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
data st devm on gpu0
data dd drmm on card0
on remove nova_drm {
  use st
  unplug card0
}
on close nova_drm { use dd }
thread app {
  use st
  open f on card0
  close f
}
`);
  });

  // ---- version 2: cdev ioctls, attribute blocks, timer callbacks, IRQ handlers

  const V2 = `module ctrl
device ctrl0
driver ctrl_drv in ctrl binds ctrl0
data priv devm on ctrl0
cdev ctl on ctrl0
timer t in ctrl_drv { use priv }
                      ^^^^^^^^ devm-data-in-uapi
irq i on ctrl0 threaded { use priv }
                          ^^^^^^^^ devm-data-in-uapi
attr a on ctrl0 { use priv }
                  ^^^^^^^^ devm-data-in-uapi
thread app {
  open f on ctl
  ioctl f {
    use priv
    ^^^^^^^^ devm-data-in-uapi
    arm t
  }
  close f
  show a
}
thread hw { raise i }
`;

  it('a timer callback, a non-devm IRQ handler, an attribute block, a cdev ioctl: no drm device, no fix', () => {
    check(V2, { fixes: 0 });
  });

  it('without a drm device, the message says what must stop the callback first', () => {
    const text = V2.split('\n').filter((l) => !/^ *\^/.test(l)).join('\n');
    const msgs = lint(compile(text), text).filter((d) => d.code === 'devm-data-in-uapi').map((d) => d.message);
    expect(msgs).toHaveLength(4);
    expect(msgs[0]).toContain('`disable t`');
    expect(msgs[1]).toContain('`free_irq i`');
    expect(msgs[2]).toContain('attribute drain');
    expect(msgs[3]).toContain('cdev `ctl`');
    expect(msgs[3]).toContain('guard itself');
    for (const m of msgs) expect(m).not.toContain('drmm');
  });

  it('with a drm device on the device: make it drmm', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
data st devm on gpu0
timer t in nova_drm { use st }
                      ^^^^^^ devm-data-in-uapi
thread app { arm t }
`, { fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
data st drmm on card0
timer t in nova_drm { use st }
thread app { arm t }
` });
  });

  it('near miss: a devm IRQ (the devres release frees it before the data); kzalloc data; a thread body', () => {
    check(`module ctrl
device ctrl0
driver ctrl_drv in ctrl binds ctrl0
data priv devm on ctrl0
data raw
irq i on ctrl0 devm { use priv }
irq j on ctrl0 threaded devm { use priv }
timer t in ctrl_drv { use raw }
thread app { use priv arm t }
thread hw { raise i raise j }
`);
  });
});
