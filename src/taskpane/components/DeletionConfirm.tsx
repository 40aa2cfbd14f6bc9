// The mass-deletion guard's question: a cycle wanted to delete many Outlook items and waits for the user.
import * as React from 'react';
import { DefaultButton, MessageBar, MessageBarType, PrimaryButton, Stack } from '@fluentui/react';
import type { EntityType } from '../../sync/records';
import type { PendingDeletion } from '../../sync/status';
import { deletionText } from '../sync-status-format';

export interface DeletionConfirmProps {
  pending: PendingDeletion;
  onDelete(type: EntityType): Promise<void>;
  onKeep(type: EntityType): Promise<void>;
}

export function DeletionConfirm({ pending, onDelete, onKeep }: DeletionConfirmProps): React.ReactElement {
  const [busy, setBusy] = React.useState(false);
  const answer = (act: (type: EntityType) => Promise<void>) => () => {
    setBusy(true);
    void act(pending.type).finally(() => setBusy(false));
  };
  const text = deletionText(pending);
  return (
    <MessageBar
      messageBarType={MessageBarType.severeWarning}
      isMultiline
      actions={
        <Stack horizontal tokens={{ childrenGap: 8 }}>
          <PrimaryButton text="Delete them" disabled={busy} onClick={answer(onDelete)} />
          <DefaultButton text="Keep them" disabled={busy} onClick={answer(onKeep)} />
        </Stack>
      }
    >
      {text} They were deleted or left the sync in OroCRM. Delete them in Outlook too, or keep them in Outlook (they will no longer sync)?
    </MessageBar>
  );
}
