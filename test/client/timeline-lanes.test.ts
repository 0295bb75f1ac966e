// Regression: a fault at a statement that reads through a timer is drawn on the lane of
// the timer's own revocable. The lane used to be looked up with the statement's revocable
// index as a timer index, so with two revocables and two timers it landed on the other one.
import { describe, expect, it } from 'vitest';
import { recordRun } from '../../debug-adapter/timeline';
import { program } from './helpers';

const TWO_TIMERS = `scenario "two BARs, two PTIMERs"
module nova
device gpu0
driver nova_drm in nova binds gpu0
revocable bar0 on gpu0
revocable bar1 on gpu0
timer ptimer1 on bar1
timer ptimer0 on bar0

thread timer_cb {
  sleep 2ms
  read ptimer0
}

thread admin {
  sleep 1ms
  unbind gpu0
}

expect run unguarded-mmio
`;

describe('timeline: faults through a timer', () => {
  it('draws the unguarded read through ptimer0 on bar0, the revocable ptimer0 is in', () => {
    const tl = recordRun(program(TWO_TIMERS));
    expect(tl.faults.map((f) => f.kind)).toEqual(['unguarded-mmio']);
    expect(tl.lanes[tl.faults[0].lane]).toMatchObject({ kind: 'revocable', name: 'bar0' });
  });
});
