// A user's moves in Outlook and To Do (issue 10 §1). Graph v1.0 has no move action for contacts or
// todoTasks (there is message/mailFolder move only), but Outlook clients move contacts between folders and
// To Do moves tasks between lists, and Graph reports it:
// - a contact keeps its id (immutable ids survive moves within a mailbox, concepts/outlook-immutable-id.md),
//   its `parentFolderId` changes, and the old folder's delta reports it `@removed`;
// - a todoTask gets a new id ("By default, this value changes when the item is moved from one list to
//   another", resources/todotask.md) with its linkedResources, and the old list's delta reports the old id
//   `@removed`.
// Outlook deletes a contact by moving it to Deleted Items, a mail folder: `destinationId: "deleteditems"`.
import { deletedItemsFolderId } from './contacts';
import type { GraphStore, StoredItem } from './store';
import { graphTimestamp, newChangeKey, newItemId } from './util';

export type MoveResult = { ok: true; item: StoredItem } | { ok: false; error: string };

/** `POST /_control/graph/move {id, destinationId}`: moves a contact to a folder, or a task to a list. */
export function moveItem(store: GraphStore, now: Date, id: string, destinationId: string): MoveResult {
  const item = store.get(id);
  if (!item || item.deleted || (item.kind !== 'contact' && item.kind !== 'task')) return { ok: false, error: `no live contact or task ${id}` };
  const stamp = graphTimestamp(now);
  if (item.kind === 'contact') {
    const folder = destinationId.toLowerCase() === 'deleteditems' ? deletedItemsFolderId(item.mailbox) : destinationId;
    const target = store.get(folder);
    if (folder !== deletedItemsFolderId(item.mailbox) && (!target || target.deleted || target.kind !== 'contactFolder' || target.mailbox !== item.mailbox)) {
      return { ok: false, error: `no contact folder ${destinationId}` };
    }
    return { ok: true, item: store.move(item, folder, { ...item.data, parentFolderId: folder, changeKey: newChangeKey(), lastModifiedDateTime: stamp }) };
  }
  const list = store.get(destinationId);
  if (!list || list.deleted || list.kind !== 'todoList' || list.mailbox !== item.mailbox) return { ok: false, error: `no To Do list ${destinationId}` };
  store.remove(item);
  // A new item in its new list: later delta rounds send it whole (tasks.ts partialTaskFields).
  const data = { ...item.data, changeKey: newChangeKey(), lastModifiedDateTime: stamp, '@createdSeq': store.current('seq') + 1, '@changed': [] };
  return { ok: true, item: store.insert({ id: newItemId(), mailbox: item.mailbox, kind: 'task', parent: list.id, data, props: [] }) };
}
