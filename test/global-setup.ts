import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** Builds dist/ so that tests spawning the bins run the current sources. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: resolve(__dirname, '..'), stdio: 'inherit' });
}
