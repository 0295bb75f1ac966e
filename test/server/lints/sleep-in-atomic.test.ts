// sleep-in-atomic: where it fires (the range under the line, marked `^^^`) and near misses.
import { describe, it } from 'vitest';
import { lintChecker } from './marks';

const check = lintChecker('sleep-in-atomic');

describe('sleep-in-atomic', () => {
  it('sleep directly in access', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
revocable bar0 on gpu0
thread t {
  access bar0 {
    read bar0
    sleep 1ms              // not under rcu_read_lock
    ^^^^^^^^^ sleep-in-atomic
  }
  log "done"
}
`, { fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0
revocable bar0 on gpu0
thread t {
  access bar0 {
    read bar0
  }
  sleep 1ms
  log "done"
}
` });
  });

  it('sleeping statements at depth, moved after the outermost access', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
revocable bar0 on gpu0
mutex m
fence job on gpu0
thread t {
  open f on card0
  ioctl f {
    access bar0 {
      enter card0 {
        lock m
        ^^^^^^ sleep-in-atomic
        unlock m
      }
      repeat 2 { wait job timeout 1ms }
                 ^^^^^^^^^^^^^^^^^^^^ sleep-in-atomic
    }
  }
  close f
}
`);
  });

  it('access on one line', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
revocable bar0 on gpu0
thread t {
  access bar0 { sleep 1ms }
                ^^^^^^^^^ sleep-in-atomic
}
`, { fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
revocable bar0 on gpu0
thread t {
  access bar0 { }
  sleep 1ms
}
` });
  });

  it('inner access in the else of an outer one still inside the inner body', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
revocable bar0 on gpu0
revocable bar1 on gpu0
thread t {
  access bar0 {
    read bar0
  } else {
    access bar1 {
      put card0
      ^^^^^^^^^ sleep-in-atomic
    }
  }
}
`);
  });

  it('near miss: sleep in the else block, after the block, and inside enter', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
revocable bar0 on gpu0
thread t {
  access bar0 {
    read bar0
  } else {
    sleep 1ms
  }
  sleep 1ms
  enter card0 {
    sleep 1ms
  }
}
`);
  });

  it('near miss: a non-sleeping poll and signal inside access', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
revocable bar0 on gpu0
fence job on gpu0
thread t {
  access bar0 {
    submit job
    poll job timeout 1ms
    signal job
    get card0
  }
  put card0
}
`);
  });
});
