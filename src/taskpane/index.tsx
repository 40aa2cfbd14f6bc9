// Entry point: wait for Office.onReady, then render the pane for the host we are in.
import * as React from 'react';
import { createRoot } from 'react-dom/client';
import { DevPasswordSignIn } from '../auth/dev-sign-in';
import { NO_SESSION_KEEPER, storageSessionKeeper } from '../auth/session-keeper';
import { App } from './components/App';
import { registerPaneIcons } from './icons';
import { startWhenOfficeReady, type HostInfo } from './office-host';

function mountPoint(): HTMLElement {
  const existing = document.getElementById('container');
  if (existing) return existing;
  const created = document.createElement('div');
  created.id = 'container';
  document.body.appendChild(created);
  return created;
}

function render(host: HostInfo): void {
  registerPaneIcons();
  // Outlook gets the same dev sign-in for now (real sign-in is a later issue) but keeps no token;
  // a standalone tab keeps its access token in sessionStorage so a reload stays signed in.
  const signIn = new DevPasswordSignIn({ keeper: host.kind === 'standalone' ? storageSessionKeeper(window.sessionStorage) : NO_SESSION_KEEPER });
  createRoot(mountPoint()).render(
    <React.StrictMode>
      <App signIn={signIn} host={host} />
    </React.StrictMode>,
  );
}

void startWhenOfficeReady(render);
