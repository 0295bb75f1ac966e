// `npm run package`: builds the bundles and packs the extension into one .vsix with vsce
// (`vsce package --no-dependencies`: all code is bundled in dist/). Checks that what the
// manifest needs is there and that the package stays under 2 MB; prints its path and size.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const LIMIT = 2 * 1024 * 1024;

run(process.execPath, ['scripts/build.mjs']);
if (!existsSync(join(root, 'images/icon.png'))) run(process.execPath, ['scripts/package-icon.mjs']);

const needed = [
  'README.md', 'CHANGELOG.md', 'LICENSE', 'images/icon.png', 'client/language-configuration.json',
  'client/media/lifetimes.css', 'client/media/lifetimes.js', 'grammar/lifetime.tmLanguage.json',
  'bin/lifetime.js', 'bin/lifetime-language-server.js',
  'dist/extension.js', 'dist/language-client.js', 'dist/server.js', 'dist/cli.js', 'dist/inline-adapter.js', 'dist/explore-worker.js',
];
const missing = needed.filter((f) => !existsSync(join(root, f)));
if (missing.length) {
  console.error(`package: missing ${missing.join(', ')}`);
  process.exit(1);
}

const out = process.env.VSIX_OUT || `${pkg.name}-${pkg.version}.vsix`;
const vsce = join(root, 'node_modules', '.bin', 'vsce');
// The project has no public repository address to name; vsce would otherwise refuse.
run(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--out', out]);
const size = statSync(join(root, out)).size;
console.log(`package: ${out}, ${(size / 1024).toFixed(0)} KiB`);
if (size > LIMIT) {
  console.error(`package: ${out} is over the 2 MB limit`);
  process.exit(1);
}
