// The `lifetime` debugger in the editor: the configuration provider (F5 on an open
// scenario just works, with or without launch.json), the dynamic configurations, the inline
// adapter (loaded from dist/inline-adapter.js on the first session), and the routing of the
// adapter's `lifetime/state` events and output lines to the Lifetimes view.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { checkProgram, DEBUG_TYPE, dynamicConfigurations, initialConfigurations, resolveLaunchConfig, type LaunchConfig } from './logic/config';
import type { LifetimesView } from './lifetimesView';

type SessionCtor = new () => vscode.DebugAdapter;

let sessionClass: SessionCtor | undefined;

function loadSessionClass(context: vscode.ExtensionContext): SessionCtor {
  if (!sessionClass) {
    // A runtime path: esbuild leaves this require alone, so the adapter is its own bundle.
    const file = context.asAbsolutePath(path.join('dist', 'inline-adapter.js'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(file) as { InlineLifetimeSession?: SessionCtor; LifetimeDebugSession?: SessionCtor };
    sessionClass = mod.InlineLifetimeSession ?? mod.LifetimeDebugSession;
    if (!sessionClass) throw new Error(`${file} exports no debug session`);
  }
  return sessionClass;
}

function editorContext(): { activeFile?: string; activeLanguage?: string } {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.isUntitled || doc.uri.scheme !== 'file') return {};
  return { activeFile: doc.uri.fsPath, activeLanguage: doc.languageId };
}

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return initialConfigurations() as vscode.DebugConfiguration[];
  }

  async resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    const r = resolveLaunchConfig(config as LaunchConfig, editorContext());
    if (!r.ok) {
      // undefined stops the launch; null would open launch.json
      void vscode.window.showErrorMessage(r.error);
      return undefined;
    }
    const c = r.config as vscode.DebugConfiguration;
    // Debug what is on screen: save the scenario first.
    const doc = vscode.workspace.textDocuments.find((d) => typeof c.program === 'string' && d.uri.scheme === 'file' && d.uri.fsPath === c.program);
    if (doc?.isDirty) await doc.save();
    return c;
  }

  async resolveDebugConfigurationWithSubstitutedVariables(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
    const problem = checkProgram(config as LaunchConfig);
    if (problem) {
      void vscode.window.showErrorMessage(problem);
      return undefined;
    }
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === config.program);
    if (doc?.isDirty) await doc.save();
    return config;
  }
}

class DynamicProvider implements vscode.DebugConfigurationProvider {
  async provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): Promise<vscode.DebugConfiguration[]> {
    const open = vscode.workspace.textDocuments.filter((d) => d.languageId === 'lifetime' && d.uri.scheme === 'file').map((d) => d.uri.fsPath);
    const found = await vscode.workspace.findFiles(folder ? new vscode.RelativePattern(folder, '**/*.lifetime') : '**/*.lifetime', '**/node_modules/**', 100);
    const files = [...new Set([...open, ...found.map((u) => u.fsPath)])];
    return dynamicConfigurations(files, editorContext(), (p) => vscode.workspace.asRelativePath(p, false)) as vscode.DebugConfiguration[];
  }
}

export function registerDebugging(context: vscode.ExtensionContext, out: vscode.OutputChannel, view: LifetimesView): void {
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider(), vscode.DebugConfigurationProviderTriggerKind.Initial),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new DynamicProvider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: () => {
        try {
          const Session = loadSessionClass(context);
          return new vscode.DebugAdapterInlineImplementation(new Session());
        } catch (e) {
          out.appendLine(`[debug] cannot load the debug adapter: ${(e as Error)?.stack ?? e}`);
          throw e;
        }
      },
    }),
    // The debug console's lines (kernel events) become the actions of the next sample.
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker: (session) => ({
        onDidSendMessage: (m: { type?: string; event?: string; body?: { category?: string; output?: string } }) => {
          if (m.type === 'event' && m.event === 'output' && m.body?.category !== 'telemetry' && typeof m.body?.output === 'string') {
            view.sessionOutput(session, m.body.output);
          }
        },
      }),
    }),
    vscode.debug.onDidReceiveDebugSessionCustomEvent((e) => {
      if (e.session.type === DEBUG_TYPE && e.event === 'lifetime/state') view.sessionState(e.session, e.body);
    }),
    vscode.debug.onDidStartDebugSession((s) => {
      if (s.type === DEBUG_TYPE) view.sessionStarted(s);
    }),
    vscode.debug.onDidTerminateDebugSession((s) => {
      if (s.type === DEBUG_TYPE) view.sessionEnded(s);
    }),
    vscode.debug.onDidChangeActiveDebugSession((s) => view.activeSessionChanged(s)),
  );
}
