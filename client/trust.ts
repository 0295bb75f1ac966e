// Registers the extension's commands, refusing in Restricted Mode those that need a trusted
// workspace (client/logic/trust.ts's table). Register every contributed command here.

import * as vscode from 'vscode';
import { trustCheck, trustNeed, type CommandId } from './logic/trust';

export function registerCommand(id: CommandId, title: string, handler: (...args: unknown[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    const ok = trustCheck(trustNeed(id), title, vscode.workspace.isTrusted);
    if (!ok.ok) {
      const manage = 'Manage Workspace Trust';
      if ((await vscode.window.showWarningMessage(ok.message, manage)) === manage) await vscode.commands.executeCommand('workbench.trust.manage');
      return undefined;
    }
    return handler(...args);
  });
}
