// Microsoft 365 sign-in state above the sync status: nothing when signed in, otherwise why and a Sign-in button.
import * as React from 'react';
import { MessageBar, MessageBarButton, MessageBarType } from '@fluentui/react';
import type { GraphView } from '../../auth/graph-msal-session';

export interface GraphController {
  view(): GraphView;
  subscribe(listener: (view: GraphView) => void): () => void;
  signIn(): Promise<void>;
}

export function ConnectGraphBar({ graph }: { graph: GraphController }): React.ReactElement | null {
  const [view, setView] = React.useState(() => graph.view());
  const [busy, setBusy] = React.useState(false);
  React.useEffect(() => {
    setView(graph.view());
    return graph.subscribe(setView);
  }, [graph]);

  if (view.kind === 'signed-in' || view.kind === 'checking') return null;
  if (view.kind === 'unavailable') {
    return (
      <MessageBar messageBarType={MessageBarType.info} isMultiline>
        {view.message}
      </MessageBar>
    );
  }
  const signIn = async () => {
    if (busy) return;
    setBusy(true);
    try {
      await graph.signIn();
    } catch {
      // The view now says why; the button stays for the next try.
    } finally {
      setBusy(false);
    }
  };
  return (
    <MessageBar
      messageBarType={MessageBarType.warning}
      isMultiline
      actions={
        <MessageBarButton disabled={busy} onClick={() => void signIn()}>
          Sign in to Microsoft 365
        </MessageBarButton>
      }
    >
      {view.message}
    </MessageBar>
  );
}
