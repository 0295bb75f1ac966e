// The Lifetimes view: a webview panel that draws the scenario's lifetimes as a timeline
// (debug-adapter/timeline/svg.ts) and follows every stop of a `lifetime` debug session,
// step back included, from the adapter's `lifetime/state` events. It can also show the
// timeline of a whole run (Run Scenario → Show Timeline).
//
// Security: a strict content security policy — no remote resources, styles and the one
// script from the extension's media folder only, the script with a per-render nonce, no
// inline styles (the SVG uses classes and presentation attributes).

import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Timeline } from '../debug-adapter/timeline/model';
import { SessionTimeline, type StateEventBody } from './logic/stateTimeline';
import { baseName } from './logic/config';
import { EMPTY_TEXT, runViewMessage, sessionViewMessage, type ViewMessage, type Viewport } from './logic/viewMessage';

export class LifetimesView implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private sessions = new Map<string, { s: vscode.DebugSession; tl: SessionTimeline; opened: boolean; program?: string }>();
  private activeId: string | undefined;
  private run: { timeline: Timeline; title: string } | undefined;
  private showing: 'session' | 'run' = 'session';
  private timer: NodeJS.Timeout | undefined;
  /** the chart's width and scroll, as the webview last said */
  private viewport: Viewport | undefined;
  private disposables: vscode.Disposable[] = [];
  /** updates posted to the webview (the e2e test reads it through the title) */
  renders = 0;

  constructor(private readonly context: vscode.ExtensionContext) {}

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.panel?.dispose();
    for (const d of this.disposables) d.dispose();
  }

  // ------------------------------------------------------------------ inputs

  sessionStarted(s: vscode.DebugSession): void {
    const program = typeof s.configuration.program === 'string' ? s.configuration.program : undefined;
    this.sessions.set(s.id, { s, tl: new SessionTimeline(program ? baseName(program) : s.name, program ? baseName(program) : undefined), opened: false, program });
    this.activeId = s.id;
    this.showing = 'session';
    this.forgetScroll();
  }

  /** New content: the view places it again. */
  private forgetScroll(): void {
    if (this.viewport) this.viewport = { ...this.viewport, userScrolled: false };
  }

  sessionState(s: vscode.DebugSession, body: unknown): void {
    let entry = this.sessions.get(s.id);
    if (!entry) {
      this.sessionStarted(s);
      entry = this.sessions.get(s.id)!;
    }
    entry.tl.update((body ?? {}) as StateEventBody);
    this.activeId = s.id;
    this.showing = 'session';
    void vscode.commands.executeCommand('setContext', 'lifetime.hasTimeline', true);
    if (!entry.opened) {
      entry.opened = true;
      const auto = vscode.workspace.getConfiguration('lifetime').get<boolean>('lifetimesView.openOnDebug', true);
      if (auto && !this.panel) this.open(true);
    }
    this.schedule();
  }

  sessionOutput(s: vscode.DebugSession, text: string): void {
    const entry = this.sessions.get(s.id);
    if (!entry) return;
    for (const line of text.split('\n')) if (line.trim()) entry.tl.addOutput(line.trim());
  }

  sessionEnded(s: vscode.DebugSession): void {
    const entry = this.sessions.get(s.id);
    if (!entry) return;
    entry.tl.terminated = true;
    this.schedule();
  }

  activeSessionChanged(s: vscode.DebugSession | undefined): void {
    if (s && this.sessions.has(s.id) && s.id !== this.activeId) {
      this.activeId = s.id;
      this.showing = 'session';
      this.schedule();
    }
  }

  showRun(timeline: Timeline, title: string): void {
    this.run = { timeline, title };
    this.showing = 'run';
    this.forgetScroll();
    void vscode.commands.executeCommand('setContext', 'lifetime.hasTimeline', true);
    this.reveal();
    this.schedule();
  }

  reveal(): void {
    if (this.panel) this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, false);
    else this.open(false);
  }

  // ------------------------------------------------------------------ the panel

  private open(preserveFocus: boolean): void {
    const media = vscode.Uri.joinPath(this.context.extensionUri, 'client', 'media');
    const panel = vscode.window.createWebviewPanel(
      'lifetime.lifetimes',
      'Lifetimes',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      { enableScripts: true, localResourceRoots: [media], retainContextWhenHidden: false },
    );
    panel.iconPath = vscode.Uri.joinPath(this.context.extensionUri, 'images', 'icon.png');
    this.panel = panel;
    const nonce = randomBytes(16).toString('base64').replace(/[^A-Za-z0-9]/g, '');
    const csp = [
      "default-src 'none'",
      `img-src ${panel.webview.cspSource} data:`,
      `style-src ${panel.webview.cspSource}`,
      `font-src ${panel.webview.cspSource}`,
      `script-src 'nonce-${nonce}'`,
    ].join('; ');
    const css = panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'lifetimes.css'));
    const js = panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'lifetimes.js'));
    panel.webview.html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${css}">
<title>Lifetimes</title>
</head>
<body>
<header>
  <h1 id="title">Lifetimes</h1>
  <div id="status"></div>
  <div class="legend" aria-label="legend">
    <span class="chip tone-live"></span>live <span class="chip tone-busy"></span>in transition
    <span class="chip tone-ending"></span>unplugged <span class="chip tone-dead"></span>gone / freed / revoked
    <span class="chip tone-error"></span>error <span class="mark">!</span>fault <span id="legend-current" hidden><span class="cur"></span>current stop</span>
  </div>
</header>
<main id="chart" tabindex="0"><p class="empty">${EMPTY_TEXT}</p></main>
<ol id="faults"></ol>
<script nonce="${nonce}" src="${js}"></script>
</body>
</html>`;
    this.disposables.push(
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.viewport = undefined;
      }),
      panel.webview.onDidReceiveMessage((m: { type?: string; line?: number; width?: number; scrollLeft?: number }) => {
        if (typeof m?.width === 'number' && typeof m.scrollLeft === 'number') {
          // a position other than the one the view last set is the user's
          const userScrolled = m.type === 'scroll' ? Math.abs(m.scrollLeft - (this.viewport?.scrollLeft ?? 0)) > 1 || Boolean(this.viewport?.userScrolled) : Boolean(this.viewport?.userScrolled);
          this.viewport = { width: m.width, scrollLeft: m.scrollLeft, userScrolled };
        }
        if (m?.type === 'ready') this.post();
        else if (m?.type === 'resize') this.schedule();
        else if (m?.type === 'reveal' && typeof m.line === 'number') void this.revealLine(m.line);
      }),
      panel.onDidChangeViewState((e) => {
        if (e.webviewPanel.visible) this.post();
      }),
    );
  }

  private async revealLine(line: number): Promise<void> {
    const entry = this.activeId ? this.sessions.get(this.activeId) : undefined;
    const file = this.showing === 'session' ? entry?.program : undefined;
    const uri = file ? vscode.Uri.file(file) : vscode.window.visibleTextEditors.find((e) => e.document.languageId === 'lifetime')?.document.uri;
    if (!uri) return;
    const pos = new vscode.Position(Math.max(0, line - 1), 0);
    await vscode.window.showTextDocument(uri, { selection: new vscode.Range(pos, pos), viewColumn: vscode.ViewColumn.One });
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.post();
    }, 25);
  }

  private message(): ViewMessage {
    if (this.showing === 'run' && this.run) return runViewMessage(this.run.timeline, this.run.title, this.viewport);
    const entry = this.activeId ? this.sessions.get(this.activeId) : undefined;
    return sessionViewMessage(entry?.tl, entry?.s.name ?? '', this.viewport);
  }

  private post(): void {
    if (!this.panel) return;
    const m = this.message();
    this.renders++;
    this.panel.title = m.title.startsWith('Lifetimes — ') ? `Lifetimes: ${m.title.slice(12)}` : 'Lifetimes';
    void this.panel.webview.postMessage(m);
    if (m.scrollLeft !== undefined && this.viewport) this.viewport = { ...this.viewport, scrollLeft: m.scrollLeft, userScrolled: false };
  }
}
