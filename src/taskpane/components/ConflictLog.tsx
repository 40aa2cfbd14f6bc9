// The conflict log: which item, which fields, the rule that fired and the values that lost. Newest first.
import * as React from 'react';
import { mergeStyleSets, Text } from '@fluentui/react';
import type { ConflictLogEntry } from '../../store/types';
import { absoluteTime, fieldLabel, losingSide, relativeTime, SIDE_TITLE, typeNoun, valueText } from '../sync-status-format';

const classes = mergeStyleSets({
  list: { listStyle: 'none', margin: 0, padding: 0, maxHeight: 280, overflowY: 'auto' },
  entry: { padding: '6px 0', borderBottom: '1px solid #edebe9', fontSize: 12 },
  detail: { margin: '2px 0 0' },
});

export function ConflictLog({ entries, now }: { entries: ConflictLogEntry[]; now: number }): React.ReactElement {
  return (
    <section aria-labelledby="conflict-log-heading">
      <Text as="h2" block id="conflict-log-heading" variant="mediumPlus" styles={{ root: { margin: '0 0 4px', fontWeight: 600 } }}>
        Conflict log
      </Text>
      {entries.length === 0 ? (
        <Text block variant="small">
          No conflicts so far.
        </Text>
      ) : (
        // Scrollable and focusable, so keyboard users can scroll it too.
        <ol className={classes.list} aria-labelledby="conflict-log-heading" tabIndex={0}>
          {entries.map((entry, i) => (
            <li key={`${entry.at}-${i}`} className={classes.entry}>
              <div>
                <strong>{entry.item}</strong> ({typeNoun(entry.type, 1)}),{' '}
                <time dateTime={entry.at} title={absoluteTime(entry.at)}>
                  {relativeTime(entry.at, Date.parse(entry.at) > now ? Date.parse(entry.at) : now)}
                </time>
              </div>
              <p className={classes.detail}>Fields: {entry.fields.map(fieldLabel).join(', ')}</p>
              <p className={classes.detail}>
                Rule: {entry.rule} ({SIDE_TITLE[entry.winner]} kept)
              </p>
              <p className={classes.detail}>
                {SIDE_TITLE[losingSide(entry)]} values replaced:{' '}
                {Object.entries(entry.losingValues)
                  .map(([field, value]) => `${fieldLabel(field)} ${valueText(value)}`)
                  .join('; ') || '(none)'}
              </p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
