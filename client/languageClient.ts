// The language client (its own bundle, dist/language-client.js, loaded by extension.ts just
// after activation: vscode-languageclient is most of the extension's code, and activation
// does not wait for it). Starts the bundled server (bin/lifetime-language-server.js, which
// loads dist/server.js) with plain node over stdio, and passes it the `lifetime.*` settings.
// Inlay hints are also filtered here, so `lifetime.inlayHints.enabled: false` hides them
// whatever the server does with the setting.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { EXPLORATION_STATUS, type ExplorationStatusParams } from '../server/explorationStatus';
import { explorationStatusView } from './logic/explorationStatus';

let client: LanguageClient | undefined;

/** The background exploration of the active scenario, in the status bar (server notifications). */
class ExplorationStatusBar implements vscode.Disposable {
  private item = vscode.window.createStatusBarItem('lifetime.exploration', vscode.StatusBarAlignment.Left, 10);
  private last = new Map<string, ExplorationStatusParams>();
  private subs: vscode.Disposable[];

  constructor() {
    this.item.name = 'Lifetime: background exploration';
    this.item.command = 'lifetime.exploreSchedules';
    this.subs = [
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.show()),
      vscode.workspace.onDidCloseTextDocument((d) => this.last.delete(d.uri.toString())),
    ];
  }

  update(p: ExplorationStatusParams): void {
    this.last.set(p.uri, p);
    this.show();
  }

  private show(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const view = doc?.languageId === 'lifetime' ? explorationStatusView(this.last.get(doc.uri.toString())) : undefined;
    if (!view) {
      this.item.hide();
      return;
    }
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.subs) d.dispose();
  }
}

/** What the server reads at initialize: the background exploration's bounds, inlay hints on/off. */
function settings(): Record<string, unknown> {
  const c = vscode.workspace.getConfiguration('lifetime');
  return {
    inlayHints: { enabled: c.get<boolean>('inlayHints.enabled', true) },
    explore: {
      enabled: c.get<boolean>('backgroundExploration.enabled', true),
      maxStates: c.get<number>('backgroundExploration.maxStates', 200_000),
      timeMs: Math.round(c.get<number>('backgroundExploration.timeLimitSeconds', 2) * 1000),
    },
  };
}

export function startLanguageClient(context: vscode.ExtensionContext, output: vscode.OutputChannel): void {
  const module = context.asAbsolutePath(path.join('bin', 'lifetime-language-server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio },
    debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'lifetime' },
      { scheme: 'untitled', language: 'lifetime' },
    ],
    synchronize: { configurationSection: 'lifetime' },
    initializationOptions: settings(),
    middleware: {
      provideInlayHints: (document, range, token, next) => {
        if (!vscode.workspace.getConfiguration('lifetime', document.uri).get<boolean>('inlayHints.enabled', true)) return [];
        return next(document, range, token);
      },
    },
  };
  client = new LanguageClient('lifetime', 'Lifetime Language Server', serverOptions, clientOptions);
  const status = new ExplorationStatusBar();
  client.onNotification(EXPLORATION_STATUS, (p: ExplorationStatusParams) => status.update(p));
  context.subscriptions.push(
    status,
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('lifetime.inlayHints.enabled')) refreshInlayHints();
      if (e.affectsConfiguration('lifetime.backgroundExploration') && client) {
        // read at initialize: a new server picks the new bounds up
        client.clientOptions.initializationOptions = settings();
        output.appendLine('[server] background exploration settings changed: restarting the language server');
        void client.restart();
      }
    }),
  );
  client.start().then(
    () => output.appendLine('[server] language server started'),
    (e) => output.appendLine(`[server] the language server did not start: ${(e as Error)?.message ?? e}`),
  );
}

/** Asks the editor to fetch inlay hints again (after the on/off setting changed). */
function refreshInlayHints(): void {
  const c = client;
  if (!c) return;
  try {
    const feature = c.getFeature('textDocument/inlayHint');
    for (const editor of vscode.window.visibleTextEditors) {
      feature?.getProvider(editor.document)?.onDidChangeInlayHints.fire();
    }
  } catch {
    // an older server without inlay hints: nothing to refresh
  }
}

export async function restartLanguageClient(output: vscode.OutputChannel): Promise<void> {
  output.appendLine('[server] restarting the language server');
  await client?.restart();
}

export function stopLanguageClient(): Thenable<void> | undefined {
  const c = client;
  client = undefined;
  return c?.stop();
}
