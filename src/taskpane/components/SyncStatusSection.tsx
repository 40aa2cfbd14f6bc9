// The "Sync status" section: live status per entity type, the last error with Retry, Sync now, first-sync
// progress, the mass-deletion question, ambiguous matches, refused items and the conflict log.
// It talks to SyncControls only (sync-runtime.ts): no HTTP, no URLs.
import * as React from 'react';
import { MessageBar, MessageBarType, PrimaryButton, DefaultButton, ProgressIndicator, Spinner, SpinnerSize, Stack, Text } from '@fluentui/react';
import type { SyncStatus } from '../../sync/status';
import type { SyncControls } from '../sync-runtime';
import { deletionText, followingText, progressText, serverFollowingText, SIDE_TITLE, TYPE_TITLE, typeNoun } from '../sync-status-format';
import { useSyncView } from '../use-sync-status';
import { ConflictLog } from './ConflictLog';
import { DeletionConfirm } from './DeletionConfirm';
import { SyncStatusTypes } from './SyncStatusTypes';

export const SYNC_HEADING = 'Sync status';

export interface SyncStatusSectionProps {
  sync: SyncControls;
  /** Re-render interval for relative times, in ms. */
  tickMs?: number;
  clock?: () => number;
}

/** Runs an action once at a time; `busy` while it runs. */
function useAction(run: () => Promise<void>): [boolean, () => void] {
  const [busy, setBusy] = React.useState(false);
  const mounted = React.useRef(true);
  React.useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );
  const start = React.useCallback(() => {
    setBusy(true);
    void run()
      .catch(() => undefined) // failures show up in the status
      .finally(() => mounted.current && setBusy(false));
  }, [run]);
  return [busy, start];
}

function runningText(running: NonNullable<SyncStatus['running']>): string {
  return running.type ? `Checking ${SIDE_TITLE[running.side]} ${typeNoun(running.type, 2)}…` : `Checking ${SIDE_TITLE[running.side]}…`;
}

function FirstSyncProgress({ progress }: { progress: NonNullable<SyncStatus['firstSync']> }): React.ReactElement {
  const text = progressText(progress);
  // A known total makes the bar determinate (an empty listing is complete); unknown keeps it indeterminate.
  const percent = progress.total === null ? undefined : progress.total === 0 ? 1 : Math.min(1, progress.processed / progress.total);
  return <ProgressIndicator label="First sync" description={text} percentComplete={percent} ariaValueText={text} />;
}

export function SyncStatusSection({ sync, tickMs, clock }: SyncStatusSectionProps): React.ReactElement {
  const { view, now } = useSyncView(sync, tickMs, clock);
  const { status } = view;
  const [asked, setAsked] = React.useState(false);
  const byServer = view.phase === 'following' && !!view.follower?.byServer;
  const [syncing, syncNow] = useAction(
    React.useCallback(async () => {
      await sync.syncNow();
      // Following the server, Sync now only asks it (the lease's syncRequested); it never takes over.
      if (byServer) setAsked(true);
    }, [sync, byServer]),
  );
  const [retrying, retry] = useAction(React.useCallback(() => sync.retry(), [sync]));

  return (
    <section aria-labelledby="sync-status-heading">
      <Stack tokens={{ childrenGap: 12 }} styles={{ root: { padding: 16, maxWidth: 560 } }}>
        <Stack horizontal horizontalAlign="space-between" verticalAlign="center">
          <Text as="h1" id="sync-status-heading" variant="xLarge" styles={{ root: { margin: 0 } }}>
            {SYNC_HEADING}
          </Text>
          {(view.phase === 'running' || view.phase === 'following') && <PrimaryButton text={syncing ? 'Syncing…' : 'Sync now'} disabled={syncing} onClick={syncNow} />}
        </Stack>

        {view.phase === 'waiting' && <Spinner size={SpinnerSize.small} label="Starting sync…" ariaLive="polite" labelPosition="right" />}
        {view.phase === 'unavailable' && <MessageBar messageBarType={MessageBarType.info} isMultiline>{view.message}</MessageBar>}
        {view.phase === 'stopped' && <Text>Sync is stopped.</Text>}

        {view.phase === 'following' && view.follower?.byServer && (
          <>
            {/* The organization's server syncs this mailbox with Outlook closed: nothing for this pane to run. */}
            <MessageBar messageBarType={view.follower.stale ? MessageBarType.warning : MessageBarType.success} isMultiline>
              {serverFollowingText(view.follower, now)}
            </MessageBar>
            {!view.follower.stale && (
              <Text variant="small">{asked ? 'The server was asked to check both sides now.' : 'Outlook can stay closed: the server syncs this mailbox on its own. Sync now asks it to check both sides.'}</Text>
            )}
            {status.lastError && (
              <MessageBar messageBarType={status.lastError.retryable ? MessageBarType.warning : MessageBarType.error} isMultiline>
                {status.lastError.message}
              </MessageBar>
            )}
            {status.pendingDeletions.map((pending) => (
              <MessageBar key={pending.type} messageBarType={MessageBarType.warning} isMultiline>
                {deletionText(pending)} The OroCRM Sync server holds them back: it does not delete that many without someone confirming.
              </MessageBar>
            ))}
            <SyncStatusTypes status={status} now={now} countsSince="since the OroCRM Sync server began syncing this mailbox" />
            <ConflictLog entries={view.conflicts} now={now} />
          </>
        )}

        {view.phase === 'following' && !view.follower?.byServer && (
          <>
            {/* One engine writes per mailbox (the sync lease); this pane shows what that one reports. */}
            <MessageBar messageBarType={view.follower?.stale ? MessageBarType.warning : MessageBarType.info} isMultiline>
              {followingText(view.follower ?? null, now)}
            </MessageBar>
            {status.lastError && (
              <MessageBar messageBarType={status.lastError.retryable ? MessageBarType.warning : MessageBarType.error} isMultiline>
                {status.lastError.message}
              </MessageBar>
            )}
            {status.pendingDeletions.length > 0 && (
              <MessageBar messageBarType={MessageBarType.warning} isMultiline>
                Deletions wait for an answer in {view.follower?.deviceLabel ?? 'the Outlook window that syncs'}.
              </MessageBar>
            )}
            <SyncStatusTypes status={status} now={now} />
            <ConflictLog entries={view.conflicts} now={now} />
          </>
        )}

        {view.phase === 'running' && (
          <>
            {/* Not announced: a check runs every minute or so, and that would be noise for screen-reader users. */}
            <div>
              {status.running ? (
                <Spinner size={SpinnerSize.xSmall} ariaLive="off" label={runningText(status.running)} labelPosition="right" styles={{ root: { justifyContent: 'flex-start' } }} />
              ) : (
                <Text variant="small">Idle; checks run on the intervals set below.</Text>
              )}
            </div>

            {(view.notices ?? []).map((notice) => (
              <MessageBar key={notice} messageBarType={MessageBarType.info} isMultiline>
                {notice}
              </MessageBar>
            ))}

            {status.firstSync && <FirstSyncProgress progress={status.firstSync} />}

            {status.lastError && (
              <MessageBar
                messageBarType={status.lastError.retryable ? MessageBarType.warning : MessageBarType.error}
                isMultiline
                actions={<DefaultButton text={retrying ? 'Retrying…' : 'Retry'} disabled={retrying} onClick={retry} />}
              >
                {status.lastError.message}
              </MessageBar>
            )}

            {status.pendingDeletions.map((pending) => (
              <DeletionConfirm key={pending.type} pending={pending} onDelete={(t) => sync.confirmDeletions(t)} onKeep={(t) => sync.keepInsteadOfDeleting(t)} />
            ))}

            {status.ambiguousMatches.length > 0 && (
              <MessageBar messageBarType={MessageBarType.warning} isMultiline>
                <Text as="p" variant="small" styles={{ root: { margin: 0, fontWeight: 600 } }}>
                  Not linked because several items match (fix the duplicates, then sync again):
                </Text>
                <ul aria-label="Ambiguous matches" style={{ margin: '4px 0 0', paddingLeft: 16 }}>
                  {status.ambiguousMatches.map((a) => (
                    <li key={`${a.side}:${a.id}`}>
                      {a.item} ({SIDE_TITLE[a.side]} {typeNoun(a.type, 1)}) matches {a.candidateIds.length} {SIDE_TITLE[a.side === 'crm' ? 'outlook' : 'crm']}{' '}
                      {typeNoun(a.type, a.candidateIds.length)}: {a.candidateIds.join(', ')}
                    </li>
                  ))}
                </ul>
              </MessageBar>
            )}

            {status.itemErrors.length > 0 && (
              <MessageBar messageBarType={MessageBarType.warning} isMultiline>
                <Text as="p" variant="small" styles={{ root: { margin: 0, fontWeight: 600 } }}>
                  Items a service refused (they are retried on later checks):
                </Text>
                <ul aria-label="Refused items" style={{ margin: '4px 0 0', paddingLeft: 16 }}>
                  {status.itemErrors.slice(0, 10).map((e, i) => (
                    <li key={`${e.side}:${e.id}:${i}`}>
                      {TYPE_TITLE[e.type]} {e.id} in {SIDE_TITLE[e.side]}: {e.message}
                    </li>
                  ))}
                </ul>
              </MessageBar>
            )}

            <SyncStatusTypes status={status} now={now} />
            <ConflictLog entries={view.conflicts} now={now} />
          </>
        )}
      </Stack>
    </section>
  );
}
