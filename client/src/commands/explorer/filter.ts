/** Filter Images and Clear Filter: the words the view's message line then shows as active. */
import type { CommandContext, CommandOutcome } from '../commandContext';

export async function filterCommand(context: CommandContext): Promise<CommandOutcome> {
  const filter = await context.prompts().askFilter(context.explorer.currentOptions.filter);
  if (filter === undefined) return { status: 'cancelled' };
  await context.explorer.setOptions({ filter: filter.trim() });
  return { status: 'done' };
}

export async function clearFilterCommand(context: CommandContext): Promise<CommandOutcome> {
  await context.explorer.setOptions({ filter: '' });
  return { status: 'done' };
}
