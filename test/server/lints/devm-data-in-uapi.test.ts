// devm-data-in-uapi: where it fires (the range under the line, marked `^^^`) and near misses.
import { describe, it } from 'vitest';
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
});
