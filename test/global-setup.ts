import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** Builds dist/ so that tests spawning the bins run the current sources (LIFETIME_BUILD=cli,server limits the entries). */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', ...(process.env.LIFETIME_BUILD ?? '').split(',').filter(Boolean)], { cwd: resolve(__dirname, '..'), stdio: 'inherit' });
}
