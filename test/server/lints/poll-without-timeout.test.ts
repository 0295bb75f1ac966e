// poll-without-timeout: where it fires (the range under the line, marked `^^^`) and near misses.
import { describe, it } from 'vitest';
import { lintChecker } from './marks';

const check = lintChecker('poll-without-timeout');

describe('poll-without-timeout', () => {
  it('poll without timeout anywhere', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
fence job on gpu0
work w in nova_drm {
  poll job
  ^^^^^^^^ poll-without-timeout
}
thread app {
  submit job
  poll job   // spins
  ^^^^^^^^ poll-without-timeout
  queue w
}
`);
  });

  it('near miss: poll with timeout', () => {
    check(`module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
fence job on gpu0
thread app {
  submit job
  poll job timeout 2ms
}
`);
  });
});
