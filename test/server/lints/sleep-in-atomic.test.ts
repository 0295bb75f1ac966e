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

  // ---- version 2: timer callbacks, hard IRQ handlers, spinlock sections

  it('a timer callback: no fix (a work item queued from it is the way out)', () => {
    check(`module wdt
device wdt0
driver wdt_drv in wdt binds wdt0
mutex cfg
work w in wdt_drv { log "w" }
timer ping in wdt_drv {
  lock cfg
  ^^^^^^^^ sleep-in-atomic
  unlock cfg
  flush w
  ^^^^^^^ sleep-in-atomic
}
`, { fixes: 0 });
  });

  it('a hard IRQ handler: the fix makes it threaded', () => {
    check(`module sensor
device sens0
driver sensor_drv in sensor binds sens0
mutex buf
irq data_ready on sens0 devm {
  lock buf
  ^^^^^^^^ sleep-in-atomic
  unlock buf
}
thread hw { raise data_ready }
`, { fixed: `module sensor
device sens0
driver sensor_drv in sensor binds sens0
mutex buf
irq data_ready on sens0 threaded devm {
  lock buf
  unlock buf
}
thread hw { raise data_ready }
` });
  });

  it('between lock and unlock of a spinlock, at depth: moved after the unlock', () => {
    check(`module netdrv
device nic0
driver nic_drv in netdrv binds nic0
spinlock stats
completion fw
cdev ctl on nic0
work w in nic_drv { log "w" }
thread app {
  open f on ctl
  ioctl f {
    lock stats
    wait fw timeout 5ms   // sleeps under the spinlock
    ^^^^^^^^^^^^^^^^^^^ sleep-in-atomic
    repeat 2 { cancel w }
               ^^^^^^^^ sleep-in-atomic
    unlock stats
    log "done"
  }
  close f
}
`, { fixed: `module netdrv
device nic0
driver nic_drv in netdrv binds nic0
spinlock stats
completion fw
cdev ctl on nic0
work w in nic_drv { log "w" }
thread app {
  open f on ctl
  ioctl f {
    lock stats
    repeat 2 { cancel w }
    unlock stats
    wait fw timeout 5ms
    log "done"
  }
  close f
}
` });
  });

  it('a spinlock section inside access goes after the access; an access inside a section, after the unlock; a hard handler and a section at once', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
revocable bar0 on gpu0
spinlock s
mutex m
irq i on gpu0 {
  lock s
  lock m
  ^^^^^^ sleep-in-atomic
  unlock s
  unlock m
}
thread a {
  access bar0 {
    lock s
    sleep 1ms
    ^^^^^^^^^ sleep-in-atomic
    unlock s
  }
}
thread b {
  lock s
  access bar0 { sleep 1ms }
                ^^^^^^^^^ sleep-in-atomic
  unlock s
}
thread hw { raise i }
`, { fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0
revocable bar0 on gpu0
spinlock s
mutex m
irq i on gpu0 threaded {
  lock s
  unlock s
  lock m
  unlock m
}
thread a {
  access bar0 {
    lock s
    sleep 1ms
    unlock s
  }
}
thread b {
  lock s
  access bar0 { sleep 1ms }
  unlock s
}
thread hw { raise i }
` });
  });

  it('near miss: spins, threaded handlers, attribute blocks, nosync cancels, after the unlock, a lock with no unlock in its block', () => {
    check(`module drv
device dev0
driver d in drv binds dev0
spinlock s
spinlock s2
mutex m
work w in d { log "w" }
timer t in d {
  lock s2
  cancel t nosync
  disable t
  arm t after 1ms
  unlock s2
}
irq i on dev0 threaded { lock m unlock m sleep 1ms }
attr a on dev0 { lock m unlock m }
thread x {
  lock s
  lock s2
  cancel w nosync
  unlock s2
  unlock s
  sleep 1ms
  lock m
  unlock m
}
thread y {
  lock s
  repeat 2 { unlock s }
  sleep 1ms
}
thread z { raise i show a arm t }
`);
  });
});
