/**
 * The explorer's state: one session per node (from `kubeImages.endpoints`, else the runtime
 * found on this machine as crictl finds it), each node's latest listing, the per-node image
 * history, and the user's sort, grouping and filter. Commands act through it; the view renders
 * the tree it builds.
 */
import * as vscode from 'vscode';
import { CriError } from '../cri/errors';
import { detectEndpoints, systemDetectionHost } from '../cri/endpoints';
import { ImageHistoryStore } from '../nodes/imageHistoryStore';
import { NodeSession } from '../nodes/nodeSession';
import { detectedNodeTarget, readEndpointSetting, type NodeTarget } from '../nodes/nodeTargets';
import { buildExplorerTree, type ExplorerNode, type ExplorerTree, type NodeState } from './model/explorerTree';
import { readExplorerOptions, type ExplorerOptions } from './model/explorerOptions';

/** How people fix an endpoint from VS Code, completing messages such as "no container runtime at …". */
export const ENDPOINT_HINT = 'set kubeImages.endpoints (command: Kubernetes Images: Configure Node Endpoints)';

/** A listing for the view should not keep its spinner for the kubelet's two minutes. */
const LISTING_TIMEOUT_MS = 20_000;
const OPTIONS_KEY = 'kubeImages.explorer.options';

export class Explorer implements vscode.Disposable {
  private sessions = new Map<string, NodeSession>();
  private nodes: ExplorerNode[] = [];
  private problems: readonly string[] = [];
  private options: ExplorerOptions;
  private tree: ExplorerTree;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private readonly changed = new vscode.EventEmitter<ExplorerTree>();
  readonly onDidChange = this.changed.event;
  readonly history: ImageHistoryStore;

  constructor(
    globalState: vscode.Memento,
    private readonly workspaceState: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.history = new ImageHistoryStore(globalState);
    this.options = readExplorerOptions(workspaceState.get(OPTIONS_KEY));
    this.tree = this.build();
  }

  get current(): ExplorerTree {
    return this.tree;
  }

  get currentOptions(): ExplorerOptions {
    return this.options;
  }

  /** Every node in the order configured. */
  get allNodes(): readonly ExplorerNode[] {
    return this.nodes;
  }

  node(key: string): ExplorerNode | undefined {
    return this.nodes.find((node) => node.target.key === key);
  }

  session(key: string): NodeSession | undefined {
    return this.sessions.get(key);
  }

  /** Reads the endpoints again (the setting changed): new nodes get sessions, removed ones lose theirs. */
  async reloadTargets(): Promise<void> {
    const configured = readEndpointSetting(vscode.workspace.getConfiguration('kubeImages').get<unknown>('endpoints'));
    const found =
      configured.targets.length > 0 || configured.problems.length > 0 ? configured : detectedNodeTarget(detectEndpoints(systemDetectionHost));
    this.problems = found === configured ? configured.problems : [...found.problems];
    const wanted = new Map(found.targets.map((target) => [target.key, target]));
    for (const [key, session] of this.sessions) {
      if (wanted.has(key)) continue;
      this.sessions.delete(key);
      void session.close();
    }
    this.nodes = found.targets.map((target) => {
      const known = this.nodes.find((node) => node.target.key === target.key);
      if (!this.sessions.has(target.key)) this.sessions.set(target.key, new NodeSession(target, { endpointHint: ENDPOINT_HINT }));
      return { target, state: known?.state ?? { kind: 'loading' } };
    });
    this.publish();
    await this.refresh();
  }

  /**
   * Lists every node again. Calls made while a refresh runs share one further refresh, so a
   * burst of actions costs at most one extra round.
   */
  refresh(): Promise<void> {
    if (this.running === undefined) {
      this.running = this.refreshNow().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.refresh();
    });
    return this.queued;
  }

  async setOptions(change: Partial<ExplorerOptions>): Promise<void> {
    this.options = { ...this.options, ...change };
    await this.workspaceState.update(OPTIONS_KEY, this.options);
    this.publish();
  }

  dispose(): void {
    void this.history.flush(Date.now());
    for (const session of this.sessions.values()) void session.close();
    this.sessions.clear();
    this.changed.dispose();
  }

  private async refreshNow(): Promise<void> {
    const targets = this.nodes.map((node) => node.target);
    const states = await Promise.all(targets.map((target) => this.list(target)));
    // Nodes may have been reconfigured meanwhile: only those still present take their new state.
    this.nodes = this.nodes.map((node) => {
      const index = targets.findIndex((target) => target.key === node.target.key);
      return index < 0 ? node : { target: node.target, state: states[index] };
    });
    this.publish();
  }

  private async list(target: NodeTarget): Promise<NodeState> {
    const session = this.sessions.get(target.key);
    if (session === undefined) return { kind: 'loading' };
    try {
      const snapshot = await session.snapshot({ timeoutMs: LISTING_TIMEOUT_MS });
      const history = await this.history.observe(target.key, snapshot);
      const problem = this.history.problem(target.key);
      if (problem !== undefined) this.log.warn(`${target.name}: ${problem}`);
      return { kind: 'listed', snapshot, history };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.warn(`Listing ${target.name} (${target.key}) failed: ${message}`);
      return { kind: 'failed', errorKind: error instanceof CriError ? error.kind : 'other', message };
    }
  }

  private publish(): void {
    this.tree = this.build();
    this.changed.fire(this.tree);
  }

  private build(): ExplorerTree {
    return buildExplorerTree({ nodes: this.nodes, problems: this.problems, options: this.options });
  }
}
