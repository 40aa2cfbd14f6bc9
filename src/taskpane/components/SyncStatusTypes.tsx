// Per entity type: last and next check of each side, and what sync created, updated, deleted and
// found in conflict there. A type switched off in the settings is shown as off.
import * as React from 'react';
import { mergeStyleSets, Stack, Text } from '@fluentui/react';
import { ENTITY_TYPES, type EntityType, type SideName } from '../../sync/records';
import type { SideTypeStatus, SyncStatus } from '../../sync/status';
import { absoluteTime, formatCount, relativeTime, SIDE_TITLE, TYPE_TITLE } from '../sync-status-format';

const SIDES: SideName[] = ['crm', 'outlook'];

const classes = mergeStyleSets({
  table: { borderCollapse: 'collapse', width: '100%', fontSize: 12 },
  caption: { textAlign: 'left', fontWeight: 600, fontSize: 14, padding: '4px 0' },
  cell: { textAlign: 'left', padding: '2px 8px 2px 0', verticalAlign: 'top' },
  number: { textAlign: 'left', padding: '2px 8px 2px 0', fontVariantNumeric: 'tabular-nums' },
});

function When({ iso, now, none }: { iso: string | null; now: number; none: string }): React.ReactElement {
  if (!iso) return <>{none}</>;
  return (
    <time dateTime={iso} title={absoluteTime(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}

const COUNTS: Array<{ key: keyof Pick<SideTypeStatus, 'created' | 'updated' | 'deleted' | 'conflicted'>; label: string }> = [
  { key: 'created', label: 'Created' },
  { key: 'updated', label: 'Updated' },
  { key: 'deleted', label: 'Deleted' },
  { key: 'conflicted', label: 'Conflicts' },
];

function TypeTable({ type, status, now }: { type: EntityType; status: SyncStatus; now: number }): React.ReactElement {
  const t = status.types[type];
  const id = `sync-type-${type}`;
  return (
    <table className={classes.table} aria-describedby="sync-counts-note" id={id}>
      <caption className={classes.caption}>{TYPE_TITLE[type]}</caption>
      <thead>
        <tr>
          <td />
          {SIDES.map((side) => (
            <th key={side} scope="col" className={classes.cell}>
              {SIDE_TITLE[side]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row" className={classes.cell}>
            Last check
          </th>
          {SIDES.map((side) => (
            <td key={side} className={classes.cell}>
              <When iso={t[side].lastCheck} now={now} none="not yet" />
            </td>
          ))}
        </tr>
        <tr>
          <th scope="row" className={classes.cell}>
            Next check
          </th>
          {SIDES.map((side) => (
            <td key={side} className={classes.cell}>
              {status.running?.side === side && status.running.type === type ? 'checking now' : <When iso={t[side].nextCheck} now={now} none="not scheduled" />}
            </td>
          ))}
        </tr>
        {COUNTS.map(({ key, label }) => (
          <tr key={key}>
            <th scope="row" className={classes.cell}>
              {label}
            </th>
            {SIDES.map((side) => (
              <td key={side} className={classes.number}>
                {formatCount(t[side][key])}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function SyncStatusTypes({ status, now, countsSince = 'since the pane was first connected' }: { status: SyncStatus; now: number; countsSince?: string }): React.ReactElement {
  const off = ENTITY_TYPES.filter((t) => !status.types[t].enabled);
  return (
    <Stack tokens={{ childrenGap: 12 }}>
      {ENTITY_TYPES.filter((t) => status.types[t].enabled).map((type) => (
        <TypeTable key={type} type={type} status={status} now={now} />
      ))}
      {off.map((type) => (
        <Text key={type} variant="small">
          <strong>{TYPE_TITLE[type]}</strong>: off (not synced)
        </Text>
      ))}
      <Text variant="small" id="sync-counts-note" styles={{ root: { color: '#605e5c' } }}>
        Counts are the items sync created, updated or deleted in each place {countsSince}.
      </Text>
    </Stack>
  );
}
