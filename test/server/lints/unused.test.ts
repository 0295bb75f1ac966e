// unused: where it fires (the range under the line, marked `^^^`) and near misses.
import { describe, it } from 'vitest';
import { lintChecker } from './marks';

const check = lintChecker('unused');

describe('unused', () => {
  it('unused declarations of each kind', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
module spare
       ^^^^^ unused
device gpu1
       ^^^^ unused
revocable bar0 on gpu0
          ^^^^ unused
fence job on gpu0
      ^^^ unused
data st devm on gpu0
     ^^ unused
mutex m
      ^ unused
work w in nova_drm {
     ^ unused
  log "w"
  queue w                  // only itself
}
drm card1 on gpu0
    ^^^^^ unused
thread t { open f on card0 close f }
`, { fixed: `module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
device gpu1
revocable bar0 on gpu0
fence job on gpu0
data st devm on gpu0
mutex m
work w in nova_drm {
  log "w"
  queue w                  // only itself
}
drm card1 on gpu0
thread t { open f on card0 close f }
` });
  });

  it('near miss: used before declared; a revocable named only by a timer; threads, drivers, handlers', () => {
    check(`thread t {
  lock m
  unlock m
  read ptimer
  submit job
  enter card0 { log "in" }
}
thread idle { log "never referenced" }
on close nova_drm { log "close" }
expect clean
mutex m
timer ptimer on bar0
revocable bar0 on gpu0
fence job on gpu0
module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
`);
  });
});
