/** Configure Node Endpoints: the `kubeImages.endpoints` setting in the Settings editor. */
import * as vscode from 'vscode';
import type { CommandOutcome } from '../commandContext';

export async function configureEndpointsCommand(): Promise<CommandOutcome> {
  await vscode.commands.executeCommand('workbench.action.openSettings', 'kubeImages.endpoints');
  return { status: 'done' };
}
