/** Sort Images By: name, size, or last use (from the history this editor keeps per node). */
import type { CommandContext, CommandOutcome } from '../commandContext';

export async function sortByCommand(context: CommandContext): Promise<CommandOutcome> {
  const sortBy = await context.prompts().pickSortOrder(context.explorer.currentOptions.sortBy);
  if (sortBy === undefined) return { status: 'cancelled' };
  await context.explorer.setOptions({ sortBy });
  return { status: 'done' };
}
