// Reading current items through SyncSide.get with its promise checked: one answer per id asked, in
// order. A missing answer would otherwise read as "deleted", so anything else is refused outright.
import type { Item } from './actions';
import { MalformedResponseError } from './errors';
import type { EntityType } from './records';
import type { SyncSide } from './side';
import { serviceName } from './status';

export async function currentItems(side: SyncSide, type: EntityType, ids: ReadonlyArray<string>): Promise<Array<Item | null>> {
  if (ids.length === 0) return [];
  const items = (await side.get(type, ids)) as Array<Item | null>;
  const misplaced = items.findIndex((item, i) => item !== null && item !== undefined && item.id !== ids[i]);
  if (items.length !== ids.length || misplaced >= 0) {
    throw new MalformedResponseError(
      `${serviceName(side.name)} answered ${items.length} ${type} item(s) for ${ids.length} requested` +
        (misplaced >= 0 ? `, and item ${misplaced + 1} is not the one asked for` : '') +
        '; nothing was changed.',
    );
  }
  return items.map((item) => item ?? null);
}
