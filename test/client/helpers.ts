// Scenarios and helpers for the client tests (pure modules only: nothing here loads vscode).
import { compile } from '../../grammar';
import { lower, type Program } from '../../debug-adapter/runtime/program';

/** The deadlock of the seed mail: an ioctl waits for a fence inside drm_dev_enter while the GPU goes away. */
export const DEADLOCK = `scenario "unplug deadlock"
module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
fence job on gpu0 takes 5ms

on remove nova_drm {
  unplug card0
}

thread app "render client" {
  open f on card0
  ioctl f {
    enter card0 {
      submit job
      wait job
    }
  }
  close f
}

thread hotplug {
  sleep 1ms
  hotunplug gpu0
}

expect deadlock
`;

/** A clean scenario where every lifetime ends: unbind, close, unload. */
export const CLEAN = `scenario "four lifetimes"
module nova
device gpu0
driver nova_drm in nova binds gpu0
drm card0 on gpu0
revocable bar0 on gpu0
data regs devm on gpu0
data ctx drmm on card0

on close nova_drm {
  use ctx
}

thread app {
  open f on card0
  sleep 2ms
  close f
}

thread admin {
  sleep 1ms
  unbind gpu0
  sleep 2ms
  rmmod nova
}

expect clean
`;

export function program(text: string): Program {
  const a = compile(text);
  if (a.diagnostics.length) throw new Error(a.diagnostics.map((d) => `${d.range.start.line}: ${d.message}`).join('\n'));
  return lower(a.file);
}
