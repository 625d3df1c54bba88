/** Group Images By: none, registry, or repository. */
import type { CommandContext, CommandOutcome } from '../commandContext';

export async function groupByCommand(context: CommandContext): Promise<CommandOutcome> {
  const groupBy = await context.prompts().pickGrouping(context.explorer.currentOptions.groupBy);
  if (groupBy === undefined) return { status: 'cancelled' };
  await context.explorer.setOptions({ groupBy });
  return { status: 'done' };
}
