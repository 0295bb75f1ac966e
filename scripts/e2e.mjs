// The end-to-end test of the extension in real VS Code (code-server) and a real browser.
// Run through scripts/e2e.sh (npm run test:e2e), which installs code-server and packages
// the .vsix first. Steps, each with its own timeout, each logged with its time:
//   install the .vsix, open a copy of samples/, open a scenario, wait for its diagnostics in
//   the Problems panel, hover a statement and read the hover, set a breakpoint (F9), F5
//   (stops on entry), continue to the breakpoint, read the refcounts in the Variables view,
//   step back, read them again, look at the Lifetimes view (webview), continue to the
//   deadlock, read the activation time from the output channel's log, see a statement no
//   schedule reaches greyed out; then a version-2 sample: its lint in Problems, a breakpoint
//   in its timer callback, the stop on the `timer/<t>` thread with the timer in the Lifetimes
//   scope.
// Screenshots go to OUT/*.png, a summary to OUT/summary.json. code-server runs in its own
// process group (setsid) and is stopped with kill -- -PGID whatever happens.

import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const CODE_SERVER = arg('code-server');
const VSIX = resolve(arg('vsix', 'driver-lifetime-0.1.0.vsix'));
const OUT = resolve(arg('out', 'test-results/e2e'));
const PGID_FILE = arg('pgid-file', join(OUT, 'code-server.pgid'));
const SCENARIO = 'hotunplug-deadlock-wait-in-enter.lifetime';
// the breakpoint goes on `wait job`, inside the ioctl's drm_dev_enter (line found in the file)
let BREAK_LINE = 0;
const DEADLINE_MS = Number(process.env.E2E_DEADLINE_MS || 270_000);

if (!CODE_SERVER || !existsSync(CODE_SERVER)) {
  console.error('e2e: --code-server PATH is required (scripts/e2e.sh finds it)');
  process.exit(2);
}

const started = Date.now();
const summary = { steps: [], screenshots: [], ok: false };
const log = (m) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${m}`);

let csProc = null;
let browser = null;
const csLog = [];

function stopAll() {
  if (browser) {
    const b = browser;
    browser = null;
    b.close().catch(() => {});
  }
  if (csProc?.pid) {
    try {
      writeFileSync(join(OUT, 'code-server.log'), csLog.join(''));
    } catch {}
    try {
      process.kill(-csProc.pid, 'SIGTERM');
    } catch {}
    try {
      execFileSync('sleep', ['0.5']);
      process.kill(-csProc.pid, 'SIGKILL');
    } catch {}
    csProc = null;
    rmSync(PGID_FILE, { force: true });
  }
}
process.on('exit', stopAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    stopAll();
    process.exit(1);
  });
}
const deadline = setTimeout(() => {
  console.error(`e2e: FAILED: over the ${DEADLINE_MS / 1000} s deadline`);
  summary.error = 'deadline';
  writeSummary();
  stopAll();
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

function writeSummary() {
  summary.totalSeconds = (Date.now() - started) / 1000;
  writeFileSync(join(OUT, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
}

async function step(name, f) {
  const t = Date.now();
  log(`${name}…`);
  try {
    const result = await f();
    const s = { name, seconds: (Date.now() - t) / 1000, ...(result && typeof result === 'object' ? result : result !== undefined ? { result } : {}) };
    summary.steps.push(s);
    log(`${name}: ok (${s.seconds.toFixed(1)} s)${result !== undefined ? ` ${JSON.stringify(result).slice(0, 300)}` : ''}`);
    return result;
  } catch (e) {
    summary.steps.push({ name, seconds: (Date.now() - t) / 1000, error: String(e?.message ?? e) });
    throw new Error(`${name}: ${e?.message ?? e}`);
  }
}

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

async function waitHealthy(port, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer /healthz within ${ms / 1000} s`);
}

function findFiles(dir, pred, out = []) {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) findFiles(p, pred, out);
    else if (pred(p)) out.push(p);
  }
  return out;
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  for (const f of readdirSync(OUT)) if (f.endsWith('.png')) rmSync(join(OUT, f));
  const scratch = join(OUT, 'scratch');
  rmSync(scratch, { recursive: true, force: true });
  const dirs = {
    data: join(scratch, 'user-data'),
    ext: join(scratch, 'extensions'),
    xdgConfig: join(scratch, 'xdg-config'),
    xdgData: join(scratch, 'xdg-data'),
    profile: join(scratch, 'chromium-profile'),
    workspace: join(scratch, 'samples'),
  };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  // The samples folder with its .vscode/launch.json and settings.json, copied so the test
  // never writes into the repository.
  cpSync(join(root, 'samples'), dirs.workspace, { recursive: true });
  const scenarioLines = readFileSync(join(dirs.workspace, SCENARIO), 'utf8').split('\n');
  BREAK_LINE = scenarioLines.findIndex((l) => /^\s*wait job\b/.test(l)) + 1;
  if (!BREAK_LINE) throw new Error(`${SCENARIO} has no \`wait job\` line any more: update scripts/e2e.mjs`);
  mkdirSync(join(dirs.data, 'User'), { recursive: true });
  // Workspace trust on, without the startup prompt: the folder opens in Restricted Mode,
  // where everything but debugging must work (VS Code asks for trust at F5).
  const userSettings = {
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': true,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.untrustedFiles': 'open',
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'update.mode': 'none',
    'chat.commandCenter.enabled': false,
    'workbench.colorTheme': 'Default Dark Modern',
    'editor.minimap.enabled': false,
    'window.commandCenter': false,
    'editor.hover.delay': 200,
    'git.enabled': false,
    'git.openRepositoryInParentFolders': 'never',
  };
  writeFileSync(join(dirs.data, 'User', 'settings.json'), JSON.stringify(userSettings, null, 2));
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: dirs.xdgConfig,
    XDG_DATA_HOME: dirs.xdgData,
    // the extension host's own node for the language server and the CLI
    NODE_OPTIONS: '',
  };
  const csArgs = ['--user-data-dir', dirs.data, '--extensions-dir', dirs.ext];

  await step('install the .vsix', () => {
    const out = execFileSync(CODE_SERVER, [...csArgs, '--install-extension', VSIX], { env, encoding: 'utf8', timeout: 60_000 });
    if (!/successfully installed/i.test(out)) throw new Error(out);
    return { vsix: VSIX, kib: Math.round(statSync(VSIX).size / 1024) };
  });

  const port = await freePort();
  await step('start code-server', async () => {
    csProc = spawn('setsid', [CODE_SERVER, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry',
      '--disable-update-check', ...csArgs], {
      env, stdio: ['ignore', 'pipe', 'pipe'], detached: false,
    });
    // setsid makes the child a group leader: its pid is the group id
    writeFileSync(PGID_FILE, String(csProc.pid));
    csProc.stdout.on('data', (d) => csLog.push(String(d)));
    csProc.stderr.on('data', (d) => csLog.push(String(d)));
    await waitHealthy(port, 30_000);
    return { port };
  });

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  const notFound = [];
  page.on('response', (r) => {
    if (r.status() >= 400) notFound.push(`${r.status()} ${r.url()}`);
  });
  const shot = async (name) => {
    const file = join(OUT, `${name}.png`);
    await page.screenshot({ path: file });
    summary.screenshots.push(file);
    log(`screenshot ${file}`);
  };
  const run = async (command) => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`>${command}`);
    await page.locator('.quick-input-widget .monaco-list-row').first().waitFor({ timeout: 10_000 });
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
  };

  await step('open the samples folder', async () => {
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(dirs.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // the explorer lists the samples
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'four-lifetimes.lifetime' }).first().waitFor({ timeout: 30_000 });
    // untrusted: the status bar says Restricted Mode
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: 20_000 });
    return { restrictedMode: true };
  });

  const openScenario = async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(SCENARIO);
    // file search can take a while on a loaded 2-core machine
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: SCENARIO }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    // its `scenario` line (line 30 may be below the fold when the panel is open)
    await page.locator('.monaco-editor .view-line', { hasText: 'scenario "hot-unplug deadlock' }).first().waitFor({ timeout: 15_000 });
  };

  await step(`open ${SCENARIO}`, async () => {
    await openScenario();
    // the language mode in the status bar says the editor knows the language
    const mode = await page.locator('.statusbar-item[id="status.editor.mode"]').innerText({ timeout: 10_000 });
    if (!/lifetime/i.test(mode)) throw new Error(`language mode is ${mode}`);
    return { languageMode: mode.trim() };
  });

  const problems = await step('diagnostics in the Problems panel', async () => {
    await page.keyboard.press('Control+Shift+M');
    const row = page.locator('.markers-panel .monaco-list-row', { hasText: 'wait-in-enter' }).first();
    await row.waitFor({ timeout: 45_000 });
    const rows = await page.locator('.markers-panel .monaco-list-row').allInnerTexts();
    await shot('01-problems');
    return { rows: rows.map((r) => r.replace(/\s+/g, ' ').trim()).filter(Boolean) };
  });

  await step('code lenses and colours', async () => {
    await page.locator('.monaco-editor .codelens-decoration', { hasText: 'Run' }).first().waitFor({ timeout: 20_000 });
    const lenses = await page.locator('.monaco-editor .codelens-decoration').allInnerTexts();
    return { lenses: lenses.map((t) => t.replace(/\s+/g, ' ').trim()) };
  });

  const outputLog = () => {
    const files = findFiles(join(dirs.data, 'logs'), (p) => /Driver Lifetime\.log$/.test(p));
    return files.length ? readFileSync(files[0], 'utf8') : '';
  };
  const waitLog = async (re, ms) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const m = re.exec(outputLog());
      if (m) return m;
      await page.waitForTimeout(300);
    }
    throw new Error(`the output channel never showed ${re}`);
  };

  // Whether each element lies in the chart's visible part, right of the pinned lane labels (200 px).
  const inView = async (frame, selectors) => {
    const chartBox = await frame.locator('#chart').boundingBox();
    const out = [];
    for (const sel of selectors) {
      const box = await frame.locator(sel).first().boundingBox();
      out.push({
        sel, box, chart: chartBox,
        visible: Boolean(box && chartBox && box.x >= chartBox.x + 200 - 1 && box.x + box.width <= chartBox.x + chartBox.width + 1),
      });
    }
    return out;
  };

  const runLens = await step('Run code lens: the CLI run in the output channel', async () => {
    await page.locator('.monaco-editor .codelens-decoration a', { hasText: /^Run$/ }).first().click();
    const m = await waitLog(/^run: .*$/m, 30_000);
    const note = page.locator('.notification-toast', { hasText: 'expectations met' }).first();
    await note.waitFor({ timeout: 10_000 });
    await shot('02a-run-scenario');
    return { summary: m[0] };
  });

  const runTimeline = await step('Show Timeline of the run: no "current stop" in the legend, the fault in view', async () => {
    await page.locator('.notification-toast .monaco-button', { hasText: 'Show Timeline' }).first().click();
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await frame.locator('svg.lifetimes.chart').waitFor({ timeout: 20_000 });
    await page.waitForTimeout(800);
    if (await frame.locator('#legend-current').isVisible()) throw new Error('the legend of a run names a current stop');
    if (await frame.locator('svg.lifetimes.chart rect.current').count()) throw new Error('a run has no current stop');
    const view = await inView(frame, ['svg.lifetimes.chart g.fault circle']);
    if (!view[0].visible) throw new Error(`the run's fault is out of view: ${JSON.stringify(view)}`);
    await shot('02e-run-timeline');
    // back to the scenario alone, as before
    await run('View: Close All Editors');
    await page.locator('iframe.webview.ready').waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
    await openScenario();
    return { view };
  });

  const statusBar = await step('the background exploration in the status bar', async () => {
    const item = page.locator('.statusbar-item', { hasText: /Explored: / }).first();
    await item.waitFor({ timeout: 30_000 });
    const text = (await item.innerText()).trim();
    if (!/Explored: 1 fault/.test(text)) throw new Error(`status bar: ${text}`);
    return { text };
  });

  const exploreLens = await step('Explore code lens: every schedule, with a witness, one button', async () => {
    await run('Notifications: Clear All Notifications');
    await page.locator('.monaco-editor .codelens-decoration a', { hasText: /^Explore$/ }).first().click();
    const m = await waitLog(/^explore: .*$/m, 60_000);
    const witness = /witness 1 \((\d+) choices\)/.exec(outputLog());
    if (!witness) throw new Error('no witness in the explore output');
    const note = page.locator('.notification-toast', { hasText: 'expectations met' }).first();
    await note.waitFor({ timeout: 10_000 });
    const buttons = (await note.locator('.monaco-button').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    if (buttons.length !== 1 || buttons[0] !== 'Witnesses…') throw new Error(`notification buttons: ${JSON.stringify(buttons)}`);
    // the result stays over the scenario as a lens
    const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: 'Explored: expectations met' }).first();
    await lens.waitFor({ timeout: 10_000 });
    await shot('02b-explore-schedules');
    await note.locator('.monaco-button', { hasText: 'Witnesses…' }).click();
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await rows.first().waitFor({ timeout: 10_000 });
    const picks = (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    if (picks.length !== 4 || !/Debug a witness/.test(picks[0])) throw new Error(`pick list: ${JSON.stringify(picks)}`);
    await shot('02c-explore-actions');
    await page.keyboard.press('Escape');
    await run('Notifications: Clear All Notifications');
    return { summary: m[0], witnessChoices: Number(witness[1]), buttons, picks };
  });

  const inconclusive = await step('Explore with a state bound too small: an inconclusive lens, never met', async () => {
    // the samples' workspace settings name the bound (lifetime.explore.maxStates): lower it there
    const wsSettings = join(dirs.workspace, '.vscode', 'settings.json');
    const original = readFileSync(wsSettings, 'utf8');
    if (!/"lifetime\.explore\.maxStates": \d+/.test(original)) throw new Error('samples/.vscode/settings.json sets no lifetime.explore.maxStates any more');
    writeFileSync(wsSettings, original.replace(/"lifetime\.explore\.maxStates": \d+/, '"lifetime.explore.maxStates": 5'));
    await page.waitForTimeout(2000);
    const before = (outputLog().match(/^explore: .*$/gm) ?? []).length;
    await page.locator('.monaco-editor .codelens-decoration a', { hasText: /^Explore$/ }).first().click();
    const until = Date.now() + 60_000;
    let lines = [];
    while (Date.now() < until && (lines = outputLog().match(/^explore: .*$/gm) ?? []).length <= before) await page.waitForTimeout(300);
    const line = lines[before];
    if (!line || !/inconclusive/.test(line) || /expectations met/.test(line)) throw new Error(`explore said: ${line}`);
    const lens = page.locator('.monaco-editor .codelens-decoration', { hasText: 'inconclusive' }).first();
    await lens.waitFor({ timeout: 10_000 });
    const lensText = (await lens.innerText()).replace(/\s+/g, ' ').trim();
    if (/expectations met/.test(lensText)) throw new Error(`lens: ${lensText}`);
    const note = page.locator('.notification-toast', { hasText: 'inconclusive' }).first();
    await note.waitFor({ timeout: 10_000 });
    await shot('02d-explore-inconclusive');
    await run('Notifications: Clear All Notifications');
    writeFileSync(wsSettings, original);
    return { summary: line, lens: lensText };
  });

  const hover = await step('hover a statement', async () => {
    // close the panel so that the editor has room, then hover the keyword `wait`
    await page.keyboard.press('Control+J');
    const line = page.locator('.monaco-editor .view-line', { hasText: 'wait job' }).first();
    const token = line.locator('span span', { hasText: /^wait$/ }).first();
    await token.hover();
    const hoverBox = page.locator('.monaco-hover-content >> visible=true').first();
    await hoverBox.waitFor({ state: 'visible', timeout: 15_000 });
    await page.waitForTimeout(500);
    const text = (await hoverBox.innerText()).trim();
    if (text.length < 10) throw new Error(`hover text too short: ${JSON.stringify(text)}`);
    await shot('02-hover');
    await page.keyboard.press('Escape');
    return { text };
  });

  await step('set a breakpoint on the `wait job` line', async () => {
    // put the cursor on the line (a click on its text), check the status bar, then F9
    await page.locator('.monaco-editor .view-line', { hasText: 'wait job' }).first().click();
    // the status bar follows the cursor a moment later
    let pos = '';
    for (let i = 0; i < 20; i++) {
      pos = await page.locator('.statusbar-item[id="status.editor.selection"]').innerText({ timeout: 5_000 });
      if (new RegExp(`Ln ${BREAK_LINE}\\b`).test(pos)) break;
      await page.waitForTimeout(200);
    }
    if (!new RegExp(`Ln ${BREAK_LINE}\\b`).test(pos)) throw new Error(`the cursor is at ${pos}`);
    await page.keyboard.press('F9');
    await page.locator('.monaco-editor .codicon-debug-breakpoint, .monaco-editor .codicon-debug-breakpoint-unverified').first().waitFor({ timeout: 10_000 });
  });

  const entry = await step('F5 in Restricted Mode: VS Code asks for trust, then the debugger stops on entry', async () => {
    await page.keyboard.press('F5');
    const trust = page.locator('.monaco-dialog-box .monaco-button', { hasText: /Trust Folder & Continue/ }).first();
    await trust.waitFor({ timeout: 15_000 });
    await trust.click();
    await page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 30_000 });
    // stopped: the call stack shows a paused thread and the editor a current line
    await page.locator('.monaco-editor .codicon-debug-stackframe').first().waitFor({ timeout: 30_000 });
    const variables = page.locator('.debug-pane .debug-variables .monaco-list-row, .debug-view-content .monaco-list-row');
    await variables.first().waitFor({ timeout: 20_000 });
    return {};
  });
  void entry;

  const readVariables = async () => {
    // the Lifetimes scope, expanded by default; wait until it lists card0
    const rows = page.locator('.debug-variables .monaco-list-row');
    await rows.filter({ hasText: 'card0' }).first().waitFor({ timeout: 20_000 });
    await page.waitForTimeout(400);
    return (await rows.allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim()).filter(Boolean);
  };

  const atBreakpoint = await step('continue to the breakpoint, read the Variables view', async () => {
    await page.keyboard.press('F5');
    // the call stack says why it paused, and the cursor stands on the breakpoint's line
    await page.locator('.debug-call-stack .state', { hasText: /breakpoint/i }).first().waitFor({ timeout: 20_000 });
    let pos = '';
    for (let i = 0; i < 20 && !new RegExp(`Ln ${BREAK_LINE}\\b`).test(pos); i++) {
      await page.waitForTimeout(200);
      pos = await page.locator('.statusbar-item[id="status.editor.selection"]').innerText({ timeout: 5_000 });
    }
    if (!new RegExp(`Ln ${BREAK_LINE}\\b`).test(pos)) throw new Error(`stopped at ${pos}, not at line ${BREAK_LINE}`);
    await page.waitForTimeout(800);
    const rows = await readVariables();
    const card0 = rows.find((r) => /^card0\b/.test(r));
    const nova = rows.find((r) => /^nova\b/.test(r));
    if (!card0 || !/refcount 2/.test(card0)) throw new Error(`card0 is not at refcount 2 at line ${BREAK_LINE}: ${JSON.stringify(rows)}`);
    await shot('03-variables-at-breakpoint');
    return { card0, nova, rows };
  });

  const afterBack = await step('step back', async () => {
    const before = atBreakpoint.rows.join('\n');
    const back = page.locator('.debug-toolbar .action-item .codicon-debug-step-back').first();
    await back.click({ timeout: 10_000 });
    let rows = [];
    const until = Date.now() + 15_000;
    while (Date.now() < until) {
      await page.waitForTimeout(400);
      rows = await readVariables();
      if (rows.join('\n') !== before) break;
    }
    if (rows.join('\n') === before) throw new Error('the Variables view did not change after step back');
    await shot('04-variables-after-step-back');
    return { rows, job: rows.find((r) => /^job\b/.test(r)) };
  });
  void afterBack;

  const lifetimes = await step('the Lifetimes view', async () => {
    await run('Lifetime: Show Lifetimes View');
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    const svg = frame.locator('svg.lifetimes.chart');
    await svg.waitFor({ timeout: 20_000 });
    const lanes = (await frame.locator('svg.lifetimes.chart text.lane-name').allTextContents()).map((t) => t.trim());
    const current = await frame.locator('svg.lifetimes.chart rect.current').count();
    const status = await frame.locator('#status').innerText();
    if (!lanes.includes('card0') || !lanes.includes('nova')) throw new Error(`lanes: ${JSON.stringify(lanes)}`);
    if (current !== 1) throw new Error('no current stop highlighted');
    await page.waitForTimeout(800);
    const view = await inView(frame, ['svg.lifetimes.chart rect.current', 'svg.lifetimes.chart g.col rect']);
    // the current stop is in view, and so is step 0 (it used to open at the latest columns)
    if (!view[0].visible) throw new Error(`the current stop is out of view: ${JSON.stringify(view)}`);
    if (!view[1].visible) throw new Error(`the first steps are out of view: ${JSON.stringify(view)}`);
    const legendCurrent = await frame.locator('#legend-current').isVisible();
    if (!legendCurrent) throw new Error('no "current stop" in the legend of a session');
    const cut = (await frame.locator('svg.lifetimes.chart text.seg-text, svg.lifetimes.chart text.seg-sub').allTextContents()).filter((t) => t.includes('…'));
    if (cut.length) throw new Error(`cut lane text: ${JSON.stringify(cut)}`);
    await shot('05-lifetimes-view');
    return { lanes, status, view };
  });

  const deadlock = await step('continue to the deadlock: a fault in the Lifetimes view', async () => {
    // F5 until the run stops on the fault (the breakpoint on line 30 is hit again first)
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    const fault = frame.locator('svg.lifetimes.chart g.fault').first();
    let presses = 0;
    for (; presses < 4 && !(await fault.isVisible()); presses++) {
      await page.keyboard.press('F5');
      await fault.waitFor({ timeout: 4_000 }).catch(() => {});
    }
    await fault.waitFor({ timeout: 5_000 });
    const reason = await page.locator('.debug-call-stack .state.label, .debug-call-stack .monaco-list-row .state').allInnerTexts().catch(() => []);
    const faults = await frame.locator('#faults li').allInnerTexts();
    await page.waitForTimeout(800);
    const view = await inView(frame, ['svg.lifetimes.chart rect.current', 'svg.lifetimes.chart g.fault circle']);
    if (!view[0].visible || !view[1].visible) throw new Error(`the current stop or the fault is out of view: ${JSON.stringify(view)}`);
    await shot('06-lifetimes-deadlock');
    return { faults, presses, callStack: reason, view };
  });

  await step('stop debugging', async () => {
    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15_000 }).catch(() => {});
  });

  const activation = await step('activation time from the output channel', async () => {
    // output channels are backed by files in the window's log folder
    let files = [];
    const until = Date.now() + 10_000;
    while (Date.now() < until) {
      files = findFiles(join(dirs.data, 'logs'), (p) => /Driver Lifetime\.log$/.test(p));
      if (files.length && /activated in/.test(readFileSync(files[0], 'utf8'))) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    if (!files.length) throw new Error('no log of the "Driver Lifetime" output channel');
    const text = readFileSync(files[0], 'utf8');
    const m = /activated in ([0-9.]+) ms/.exec(text);
    if (!m) throw new Error(`no activation line in ${files[0]}`);
    const ms = Number(m[1]);
    if (ms >= 100) throw new Error(`activation took ${ms} ms (limit 100 ms)`);
    const load = /bundle was evaluated in ([0-9.]+) ms/.exec(text);
    const server = /language client loaded, server starting \(([0-9.]+) ms/.exec(text);
    return { activationMs: ms, bundleEvaluationMs: load ? Number(load[1]) : undefined, languageClientLoadMs: server ? Number(server[1]) : undefined };
  });

  // Self-contained: opens its own sample, so it can move or merge with other steps freely.
  const unreached = await step('a statement no schedule reaches is greyed out', async () => {
    // four-lifetimes: unbind's drm_dev_unplug waits for app's drm_dev_enter section before
    // bar0 is revoked, so `access bar0`'s else inside `enter card0` is dead
    const file = 'four-lifetimes.lifetime';
    const lines = readFileSync(join(dirs.workspace, file), 'utf8').split('\n');
    const dead = lines.findIndex((l) => l.includes('log "bar0 revoked')) + 1;
    if (!dead) throw new Error(`${file} has no \`log "bar0 revoked\` line any more: update scripts/e2e.mjs`);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(file);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: file }).first().waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-line', { hasText: 'four lifetimes' }).first().waitFor({ timeout: 15_000 });
    // bring the dead else into view (go to line)
    await page.keyboard.press('Control+G');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`:${dead}`);
    await page.keyboard.press('Enter');
    const line = page.locator('.monaco-editor .view-line', { hasText: 'bar0 revoked' }).first();
    await line.waitFor({ timeout: 15_000 });
    // the background exploration's hint, tagged Unnecessary, is drawn faded on its text
    const faded = line.locator('.squiggly-inline-unnecessary').first();
    await faded.waitFor({ timeout: 45_000 });
    const greyed = (await page.locator('.monaco-editor .view-line:has(.squiggly-inline-unnecessary)').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    if (greyed.some((t) => /write bar0|use ctx|open f on card0/.test(t))) throw new Error(`reached statements greyed out: ${JSON.stringify(greyed)}`);
    const hoverBox = page.locator('.monaco-hover-content >> visible=true', { hasText: 'no schedule' }).first();
    // a hover can be dismissed by a repaint under load: move away and hover again, a few times
    for (let attempt = 1; ; attempt++) {
      await page.mouse.move(5, 5);
      await faded.hover();
      try {
        await hoverBox.waitFor({ state: 'visible', timeout: 10_000 });
        break;
      } catch (e) {
        if (attempt === 3) throw e;
      }
    }
    const message = (await hoverBox.innerText()).replace(/\s+/g, ' ').trim();
    if (!/no schedule enters this else block/.test(message)) throw new Error(`hover: ${message}`);
    await shot('07-unreached-greyed-out');
    await page.keyboard.press('Escape');
    return { line: dead, greyed, message };
  });

  // Self-contained: a version-2 sample, its lint in Problems, a breakpoint in its timer
  // callback, and the stop on the callback's own thread with the timer in the Lifetimes scope.
  const v2 = await step('version 2: a timer callback stops on timer/<t>, the timer in the Lifetimes scope', async () => {
    const file = 'bug-ene-ir-timer-after-remove.lifetime';
    const timer = 'tx_sim';
    const lines = readFileSync(join(dirs.workspace, 'v2', file), 'utf8').split('\n');
    const bpLine = lines.findIndex((l) => /^\s*use dev\b/.test(l)) + 1;
    const timerLine = lines.findIndex((l) => l.startsWith(`timer ${timer} in `)) + 1;
    if (!bpLine || !timerLine || bpLine <= timerLine) throw new Error(`v2/${file} has no \`use dev\` in timer ${timer} any more: update scripts/e2e.mjs`);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(file);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: file }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-line', { hasText: 'ene_ir: the simulated TX' }).first().waitFor({ timeout: 15_000 });
    // its lint in the Problems panel (the shortcut toggles it: press only when it is not shown)
    const lint = page.locator('.markers-panel .monaco-list-row', { hasText: 'timer-not-cancelled' }).first();
    if (!(await page.locator('.markers-panel').first().isVisible())) await page.keyboard.press('Control+Shift+M');
    await lint.waitFor({ timeout: 45_000 });
    const problem = (await lint.innerText()).replace(/\s+/g, ' ').trim();
    // a breakpoint on `use dev`, inside the timer's callback
    await page.keyboard.press('Control+G');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(`:${bpLine}`);
    await page.keyboard.press('Enter');
    let pos = '';
    for (let i = 0; i < 20 && !new RegExp(`Ln ${bpLine}\\b`).test(pos); i++) {
      await page.waitForTimeout(200);
      pos = await page.locator('.statusbar-item[id="status.editor.selection"]').innerText({ timeout: 5_000 });
    }
    if (!new RegExp(`Ln ${bpLine}\\b`).test(pos)) throw new Error(`the cursor is at ${pos}, not line ${bpLine}`);
    await page.keyboard.press('F9');
    await page.locator('.monaco-editor .codicon-debug-breakpoint, .monaco-editor .codicon-debug-breakpoint-unverified').first().waitFor({ timeout: 10_000 });
    // F5 debugs the active scenario and stops on entry; F5 again runs to the breakpoint
    await page.keyboard.press('F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.monaco-editor .codicon-debug-stackframe').first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('F5');
    const thread = page.locator('.debug-call-stack .monaco-list-row', { hasText: `timer/${timer}` }).first();
    await thread.waitFor({ timeout: 30_000 });
    await thread.locator('.state', { hasText: /breakpoint/i }).first().waitFor({ timeout: 20_000 });
    const threadRow = (await thread.innerText()).replace(/\s+/g, ' ').trim();
    // the Lifetimes scope (expanded by default) shows the timer running on its thread
    const rows = page.locator('.debug-variables .monaco-list-row');
    const want = new RegExp(`^${timer}\\b.*running on timer/${timer}`);
    let variables = [];
    const until = Date.now() + 20_000;
    while (Date.now() < until && !variables.some((r) => want.test(r))) {
      await page.waitForTimeout(300);
      variables = (await rows.allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim()).filter(Boolean);
    }
    if (!variables.some((r) => want.test(r))) throw new Error(`no ${timer} running on timer/${timer} in the Variables view: ${JSON.stringify(variables)}`);
    await shot('08-v2-timer-callback');
    await page.keyboard.press('Shift+F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15_000 }).catch(() => {});
    return { problem, breakpointLine: bpLine, threadRow, variables };
  });

  summary.results = {
    unreached, v2,
    problems: problems.rows, run: runLens.summary, runTimeline, statusBar, explore: exploreLens, inconclusive, hover: hover.text, variablesAtBreakpoint: atBreakpoint.rows, lifetimes, deadlock,
    activation,
  };
  summary.consoleErrors = consoleErrors.slice(0, 20);
  summary.failedRequests = notFound.slice(0, 20);
  // the webview's strict CSP must not have blocked anything of ours
  const blocked = consoleErrors.filter((e) => /Content Security Policy/i.test(e));
  if (blocked.length) throw new Error(`CSP violations: ${blocked.join(' | ')}`);
  summary.ok = true;
}

main().then(
  () => {
    writeSummary();
    stopAll();
    log(`e2e: PASSED in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.exit(0);
  },
  async (e) => {
    console.error(`e2e: FAILED: ${e?.message ?? e}`);
    summary.error = String(e?.message ?? e);
    try {
      const pages = browser ? browser.contexts().flatMap((c) => c.pages()) : [];
      if (pages[0]) {
        const file = join(OUT, '99-failure.png');
        await pages[0].screenshot({ path: file });
        summary.screenshots.push(file);
        console.error(`e2e: screenshot of the failure: ${file}`);
      }
    } catch {}
    writeSummary();
    stopAll();
    process.exit(1);
  },
);
