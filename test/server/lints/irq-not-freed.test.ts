// irq-not-freed: where it fires (the range under the line, marked `^^^`) and near misses.
import { describe, it } from 'vitest';
import { lintChecker } from './marks';

const check = lintChecker('irq-not-freed');

describe('irq-not-freed', () => {
  it('a non-devm irq, default remove, unbind: the new remove keeps the default unregister', () => {
    check(`module sensor
device sens0
driver sensor_drv in sensor binds sens0
data priv devm on sens0
cdev node on sens0
irq data_ready on sens0 {
^^^^^^^^^^^^^^^^^^^^^^^ irq-not-freed
  use priv
}
thread hw { raise data_ready }
thread admin { unbind sens0 }
`, { fixed: `module sensor
device sens0
driver sensor_drv in sensor binds sens0
data priv devm on sens0
cdev node on sens0
irq data_ready on sens0 {
  use priv
}

on remove sensor_drv {
  free_irq data_ready
  unregister node
}
thread hw { raise data_ready }
thread admin { unbind sens0 }
` });
  });

  it('a threaded irq that remove does not free, rmmod; free_irq of another irq does not count', () => {
    check(`module sensor
device sens0
driver sensor_drv in sensor binds sens0
irq a on sens0 threaded { log "a" }
irq b on sens0 threaded { log "b" }
^^^^^^^^^^^^^^ irq-not-freed
on remove sensor_drv { free_irq a }
thread admin { rmmod sensor }
`, { fixed: `module sensor
device sens0
driver sensor_drv in sensor binds sens0
irq a on sens0 threaded { log "a" }
irq b on sens0 threaded { log "b" }
on remove sensor_drv { free_irq b free_irq a }
thread admin { rmmod sensor }
` });
  });

  it('near miss: devm irqs; freed in remove; no teardown of its device', () => {
    check(`module sensor
module other
device sens0
device dev1
driver sensor_drv in sensor binds sens0
driver other_drv in other binds dev1
irq a on sens0 devm { log "a" }
irq b on sens0 threaded devm { log "b" }
irq c on sens0 { log "c" }
irq d on dev1 { log "d" }
on remove sensor_drv {
  free_irq c
}
thread hw { raise a raise b raise c raise d }
thread admin { unbind sens0 }
`);
  });
});
