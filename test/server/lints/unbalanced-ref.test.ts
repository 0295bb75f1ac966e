// unbalanced-ref: where it fires (the range under the line, marked `^^^`) and near misses.
import { describe, expect, it } from 'vitest';
import { compile } from '../../../grammar/index';
import { lint } from '../../../server/lints';
import { lintChecker } from './marks';

const check = lintChecker('unbalanced-ref');

describe('unbalanced-ref', () => {
  it('a get never put: reported on the get', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
thread app {
  get card0
  ^^^^^^^^^ unbalanced-ref
  log "forgot drm_dev_put"
}
`);
  });

  it('one put too many: reported on the last put', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
thread helper {
  get card0
  put card0
  put card0
  ^^^^^^^^^ unbalanced-ref
}
`);
  });

  it('a put on one branch only; a module reference kept; a repeat that puts twice', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
drm card1 on gpu0
thread t {
  get card0
  ^^^^^^^^^ unbalanced-ref
  enter card0 {
    put card0
  } else {
    log "keeps it"
  }
  try_module_get nova
  ^^^^^^^^^^^^^^^^^^^ unbalanced-ref
  get card1
  repeat 2 { put card1 }
             ^^^^^^^^^ unbalanced-ref
}
`, { fixes: 0 });
  });

  it('a get inside an ioctl, counted as taken', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
thread t {
  open f on card0
  ioctl f { get card0 }
            ^^^^^^^^^ unbalanced-ref
  close f
}
`, { fixes: 0 });
  });

  it('near miss: balanced across both branches, repeats and modules', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
thread t {
  get card0
  enter card0 {
    put card0
  } else {
    put card0
  }
  access card0_bar {
    get card0
    put card0
  }
  repeat 3 { get card0 }
  repeat 3 { put card0 }
  try_module_get nova
  module_put nova
}
revocable card0_bar on gpu0
`);
  });

  it('near miss: references in handlers and work are not the thread’s', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
on close nova_drm { get card0 }
work w in nova_drm { put card0 }
thread t {
  open f on card0
  ioctl f { queue w }
  close f
}
`);
  });

  it('names each object by what it is: a drm device, a module, a kref (version 2)', () => {
    const text = `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
kref obj in nova_drm
thread app {
  get card0
  try_module_get nova
  get obj
}
`;
    const messages = lint(compile(text), text).filter((d) => d.code === 'unbalanced-ref').map((d) => d.message);
    expect(messages).toHaveLength(3);
    expect(messages.find((m) => m.includes('`card0`'))).toMatch(/drm_dev_get/);
    expect(messages.find((m) => m.includes('`nova`'))).toMatch(/module `nova`.*rmmod nova/);
    expect(messages.find((m) => m.includes('`obj`'))).toMatch(/kref_get keeps `obj` from ever being released/);
  });
});
