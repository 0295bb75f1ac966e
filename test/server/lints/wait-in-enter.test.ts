// wait-in-enter: where it fires (the range under the line, marked `^^^`) and near misses.
import { describe, it } from 'vitest';
import { lintChecker } from './marks';

const check = lintChecker('wait-in-enter');

describe('wait-in-enter', () => {
  it('wait without timeout in enter inside an ioctl', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
fence job on gpu0
thread app {
  open f on card0
  ioctl f {
    enter card0 {
      submit job
      wait job
      ^^^^^^^^ wait-in-enter
    }
  }
  close f
}
`);
  });

  it('wait nested in repeat and access inside enter', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
fence job on gpu0
on remove nova_drm {
  enter card0 {
    repeat 2 {
      wait job
      ^^^^^^^^ wait-in-enter
    }
  }
  unplug card0
}
thread t { submit job }
`);
  });

  it('near miss: wait with timeout in enter, wait outside enter, wait in else', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
fence job on gpu0
thread app {
  enter card0 {
    submit job
    wait job timeout 5ms
  } else {
    wait job
  }
  wait job
}
`);
  });
});
