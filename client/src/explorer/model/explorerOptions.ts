// How the user arranges the explorer: sort order, grouping and filter. Kept per workspace by the
// view; the model only reads them.

export const SORT_ORDERS = ['name', 'size', 'lastUsed'] as const;
export type SortOrder = (typeof SORT_ORDERS)[number];

export const GROUPINGS = ['none', 'registry', 'repository'] as const;
export type Grouping = (typeof GROUPINGS)[number];

export interface ExplorerOptions {
  readonly sortBy: SortOrder;
  readonly groupBy: Grouping;
  /** What the user typed into the filter; empty for none. */
  readonly filter: string;
}

export const DEFAULT_EXPLORER_OPTIONS: ExplorerOptions = { sortBy: 'name', groupBy: 'none', filter: '' };

/** For people: the words the sort and group pickers and the view message use. */
export const SORT_ORDER_LABELS: Readonly<Record<SortOrder, string>> = {
  name: 'Name',
  size: 'Size (largest first)',
  lastUsed: 'Last used (most recent first)',
};

export const GROUPING_LABELS: Readonly<Record<Grouping, string>> = {
  none: 'No grouping',
  registry: 'Registry',
  repository: 'Repository',
};

/** Reads options as stored; anything unknown falls back to the default, so an old value never breaks the view. */
export function readExplorerOptions(stored: unknown): ExplorerOptions {
  if (typeof stored !== 'object' || stored === null) return DEFAULT_EXPLORER_OPTIONS;
  const { sortBy, groupBy, filter } = stored as Record<string, unknown>;
  return {
    sortBy: SORT_ORDERS.find((order) => order === sortBy) ?? DEFAULT_EXPLORER_OPTIONS.sortBy,
    groupBy: GROUPINGS.find((grouping) => grouping === groupBy) ?? DEFAULT_EXPLORER_OPTIONS.groupBy,
    filter: typeof filter === 'string' ? filter : DEFAULT_EXPLORER_OPTIONS.filter,
  };
}
