// The Outlook side's public surface: build one OutlookSide per signed-in mailbox.
import { GraphHttp, type FetchLike, type GraphHttpOptions, type GraphTokenSource } from './graph-http';
import { OutlookSide, type OutlookSideOptions } from './side';

export { OutlookSide, FULL_ROUND_PREFIX, type OutlookSideOptions } from './side';
export { GraphHttp, OutcomeUnknownError, type GraphTokenSource, type FetchLike } from './graph-http';
export { GraphClientCredentialsTokens, GraphPasswordTokens } from './tokens';
export { GraphDeviceCodeTokens, type DeviceCodePrompt } from './device-code';
export { RequestBudget, OUTLOOK_REQUEST_BUDGET } from './request-budget';
export { UnsupportedTimeZoneError } from './timezones';

export const GRAPH_BASE_URL = 'https://graph.microsoft.com/v1.0';

export interface CreateOutlookSideOptions extends Omit<OutlookSideOptions, 'http'>, Partial<Omit<GraphHttpOptions, 'tokens' | 'fetch'>> {
  tokens: GraphTokenSource;
  /** Defaults to Microsoft Graph; point it at the emulator (`http://127.0.0.1:<port>/v1.0`) in development. */
  baseUrl?: string;
  fetch?: FetchLike;
}

export function createOutlookSide(options: CreateOutlookSideOptions): OutlookSide {
  const { tokens, baseUrl, fetch, sleep, random, maxAttempts, backoffBaseMs, backoffMaxMs, maxRetryAfterMs, maxConcurrent, requestBudget, mailbox, ...sideOptions } = options;
  const http = new GraphHttp({ baseUrl: baseUrl ?? GRAPH_BASE_URL, tokens, fetch, sleep, random, maxAttempts, backoffBaseMs, backoffMaxMs, maxRetryAfterMs, maxConcurrent, requestBudget, mailbox });
  return new OutlookSide({ ...sideOptions, http });
}
