// Shown instead of the pane when it is opened outside Outlook in a production deployment.
import * as React from 'react';
import { MessageBar, MessageBarType, Stack, Text } from '@fluentui/react';

export function ConnectOutsideOutlook({ message }: { message: string }): React.ReactElement {
  return (
    <Stack tokens={{ childrenGap: 12 }} styles={{ root: { padding: 16, maxWidth: 420 } }}>
      <Text as="h1" variant="xLarge" styles={{ root: { margin: 0 } }}>
        OroCRM Sync for Outlook
      </Text>
      <MessageBar messageBarType={MessageBarType.info} isMultiline>
        {message}
      </MessageBar>
    </Stack>
  );
}
