// The pane's Graph sign-in state over a GraphAuth: the sync engine gets a token source that never
// prompts, the pane gets a view ("sign in to Microsoft 365" + a button) and a click handler.
import { GRAPH_SIGN_IN_MESSAGES, GraphSignInRequiredError, type GraphAuth, type GraphSignInReason } from './graph-msal';

export type GraphView =
  | { kind: 'checking' }
  | { kind: 'signed-in' }
  | { kind: 'sign-in-required'; reason: GraphSignInReason; message: string }
  | { kind: 'unavailable'; message: string };

export class GraphSession {
  private current: GraphView;
  private listeners = new Set<(view: GraphView) => void>();
  private signingIn: Promise<void> | null = null;

  /** `auth` null: Graph sign-in is not possible here (`unavailableMessage` says why). */
  constructor(
    private readonly auth: GraphAuth | null,
    unavailableMessage = 'Microsoft 365 sign-in is not configured for this add-in.',
  ) {
    this.current = auth ? { kind: 'checking' } : { kind: 'unavailable', message: unavailableMessage };
  }

  view(): GraphView {
    return this.current;
  }

  subscribe(listener: (view: GraphView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** For the sync engine (GraphTokenSource): silent only; a needed prompt becomes the view's Sign-in button. */
  readonly tokens = {
    accessToken: () => this.silently(false),
    refresh: () => this.silently(true),
  };

  /** A silent check at start-up, so the pane knows whether to offer Sign in. Never throws. */
  async check(): Promise<void> {
    if (!this.auth) return;
    await this.silently(false).catch(() => undefined);
  }

  /** Only from a user's click; concurrent clicks share one prompt. */
  signIn(): Promise<void> {
    const auth = this.auth;
    if (!auth) return Promise.reject(new Error(this.current.kind === 'unavailable' ? this.current.message : 'Microsoft 365 sign-in is not available.'));
    this.signingIn ??= auth
      .signIn()
      .then(
        () => this.set({ kind: 'signed-in' }),
        (error: unknown) => {
          this.failed(error);
          throw error;
        },
      )
      .finally(() => {
        this.signingIn = null;
      });
    return this.signingIn;
  }

  private async silently(forceRefresh: boolean): Promise<string> {
    if (!this.auth) throw new GraphSignInRequiredError('sign-in-failed', 'not configured');
    try {
      const token = await this.auth.accessToken({ forceRefresh });
      if (this.current.kind !== 'signed-in') this.set({ kind: 'signed-in' });
      return token;
    } catch (error) {
      this.failed(error);
      throw error;
    }
  }

  private failed(error: unknown): void {
    const reason: GraphSignInReason = error instanceof GraphSignInRequiredError ? error.reason : 'sign-in-failed';
    this.set({ kind: 'sign-in-required', reason, message: GRAPH_SIGN_IN_MESSAGES[reason] });
  }

  private set(view: GraphView): void {
    if (JSON.stringify(view) === JSON.stringify(this.current)) return;
    this.current = view;
    for (const listener of this.listeners) listener(view);
  }
}
