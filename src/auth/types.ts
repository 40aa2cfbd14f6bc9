// The one seam between the pane and "how we got a CRM connection". The dev password sign-in lives
// behind it for the standalone demo; inside Outlook the pane signs in with OAuth + PKCE (connection-manager.ts).
import type { SettingsService } from '../settings/service';

/** A signed-in connection to one CRM, as the pane sees it: no tokens, no URLs to build. */
export interface CrmSession {
  /** Shown to the user ("Signed in to … as …"); never used by UI code to build requests. */
  crmUrl: string;
  username: string;
  settings: SettingsService;
  /** Forgets the session (and any kept token). */
  signOut(): void;
}

/** What the user types into the dev sign-in form. */
export interface DevCredentials {
  crmUrl: string;
  username: string;
  password: string;
}

export interface SignIn {
  /** Signs in and proves the credentials work; rejects with AuthenticationError or a readable Error. */
  signIn(credentials: DevCredentials): Promise<CrmSession>;
  /** A session kept from earlier in this browser tab, or null. */
  resume(): CrmSession | null;
  /** The CRM URL the form suggests. */
  readonly defaultCrmUrl: string;
}
