// missing-fops-owner: where it fires (the range under the line, marked `^^^`) and near misses.
import { describe, it } from 'vitest';
import { lintChecker } from './marks';

const check = lintChecker('missing-fops-owner');

describe('missing-fops-owner', () => {
  it('fops_owner: no with an open file and an rmmod', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0 {
^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ missing-fops-owner …
  fops_owner: no
}
drm card0 on gpu0
thread app {
  open f on card0
  close f
}
thread admin { rmmod nova }
`);
  });

  it('near miss: fops_owner: no but no rmmod', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0 { fops_owner: no }
drm card0 on gpu0
thread app {
  open f on card0
  close f
}
thread admin { unbind gpu0 }
`);
  });

  it('near miss: fops_owner: no, rmmod, but files only of another driver', () => {
    check(`module nova
module other
device gpu0
device gpu1
driver nova_drm in nova binds gpu0 { fops_owner: no }
driver other_drm in other binds gpu1
drm card0 on gpu0
drm card1 on gpu1
thread app {
  open f on card1
  close f
  unbind gpu0
}
thread admin { rmmod nova }
`);
  });

  it('near miss: fops_owner: yes written out', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0 { fops_owner: yes }
drm card0 on gpu0
thread app {
  open f on card0
  close f
}
thread admin { rmmod nova }
`);
  });
});
