/** Refresh: lists every node again, with the view's progress bar. Reading only: allowed untrusted. */
import { refreshWithProgress } from '../../explorer/explorerView';
import type { CommandContext, CommandOutcome } from '../commandContext';

export async function refreshCommand(context: CommandContext): Promise<CommandOutcome> {
  await refreshWithProgress(context.explorer);
  return { status: 'done' };
}
