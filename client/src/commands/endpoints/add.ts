/**
 * Add Node Endpoint: a name and an endpoint, checked as they are typed, appended to the
 * machine-scoped `kubeImages.endpoints` setting (endpoints belong to the machine the sockets are
 * on, never to a workspace that could point the editor at another socket).
 */
import * as vscode from 'vscode';
import { parseEndpoint } from '../../cri/endpoints';
import type { CommandOutcome } from '../commandContext';

export async function addEndpointCommand(): Promise<CommandOutcome> {
  const endpoint = await vscode.window.showInputBox({
    title: 'Add Node Endpoint (1/2)',
    prompt: 'The runtime\'s CRI endpoint: unix:///path/to.sock, tcp://host:port, or ssh://[user@]host[:port]/path/to.sock (through your ssh client, keys or agent)',
    placeHolder: 'ssh://admin@node-1/run/containerd/containerd.sock',
    ignoreFocusOut: true,
    validateInput: (value) => {
      const parsed = parseEndpoint(value);
      return parsed.ok ? undefined : parsed.message;
    },
  });
  if (endpoint === undefined) return { status: 'cancelled' };
  const name = await vscode.window.showInputBox({ title: 'Add Node Endpoint (2/2)', prompt: 'A name for the node, shown in the view', ignoreFocusOut: true });
  if (name === undefined) return { status: 'cancelled' };
  const configuration = vscode.workspace.getConfiguration('kubeImages');
  const current = configuration.get<unknown>('endpoints');
  const entries = Array.isArray(current) ? current : [];
  await configuration.update('endpoints', [...entries, { name: name.trim() || endpoint.trim(), endpoint: endpoint.trim() }], vscode.ConfigurationTarget.Global);
  return { status: 'done' };
}
