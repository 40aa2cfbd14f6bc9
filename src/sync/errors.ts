// Typed failures the engine reacts to. Sides translate wire errors into these; nothing else leaks out.

export class SyncError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The service forgot our checkpoint (Graph 410 / syncStateNotFound / resyncRequired): read everything again. */
export class FullResyncRequiredError extends SyncError {}

/** The service asked us to wait; `retryAfterMs` comes from Retry-After when present. */
export class ThrottledError extends SyncError {
  constructor(message: string, readonly retryAfterMs: number | null) {
    super(message);
  }
}

/** The service could not be reached or answered 5xx after our retries. */
export class ServiceUnavailableError extends SyncError {
  constructor(message: string, readonly retryAfterMs: number | null = null, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Credentials are missing, expired beyond refresh, or refused: the user has to sign in. */
export class AuthenticationError extends SyncError {}

/** The service answered something we cannot read: never guessed at, never treated as "no data". */
export class MalformedResponseError extends SyncError {}

/** The service refused a request we built (4xx other than auth/throttling). */
export class RequestRejectedError extends SyncError {
  constructor(message: string, readonly status: number, readonly details?: unknown) {
    super(message);
  }
}
