// The SettingsService against OroCRM: the `outlooksettings` extension when the CRM has it. A stock Oro
// 5–7 has no MS Outlook settings anywhere (no `outlook` configuration section since 4.1), so without
// the extension the documented defaults apply and the user's own values stay on the Outlook side
// (local-overrides.ts), and sync goes on.
import { forUserQuery } from './lease-client';
import { isSettingKey, type Scope } from '../settings';
import { LocalOverrides, memoryOverridesStore, type OverridesStore } from '../settings/local-overrides';
import {
  SettingsChangedElsewhereError,
  SettingsRejectedError,
  SettingsStorageChangedError,
  type FieldError,
  type LoadedSettings,
  type SettingsChange,
  type SettingsService,
} from '../settings/service';
import { MalformedResponseError } from '../sync/errors';
import { errorFromResponse, parseErrorDocument } from './errors';
import type { CrmHttp, CrmResponse } from './http';
import { parseOutlookSettings, patchDocument } from './settings-wire';

export class CrmSettingsService implements SettingsService {
  /** Set once the CRM turned out to lack the extension (its GET answered 404). */
  private local: LocalOverrides | null = null;

  constructor(
    private readonly http: CrmHttp,
    private readonly scope: Scope = 'user',
    /** Where the user's own values go against a stock Oro (memory unless the caller names a place). */
    private readonly overrides: OverridesStore = memoryOverridesStore(),
    /** The CRM user whose settings these are, when not the signed-in one (the sync server, `?user=`). */
    private readonly forUser?: number,
  ) {}

  async load(): Promise<LoadedSettings> {
    const path = this.path();
    const res = await this.http.request({ path });
    if (res.status === 404 && this.scope === 'user') {
      this.local ??= new LocalOverrides(this.overrides);
      return this.local.load();
    }
    if (res.status !== 200) throw errorFromResponse(res.status, res.headers, res.body, `GET ${path}`);
    this.local = null;
    return this.loaded(res);
  }

  async save(change: SettingsChange, version: string | null): Promise<LoadedSettings> {
    if (this.local) return this.local.save(change);
    const path = this.path();
    const res = await this.http.request({
      method: 'PATCH',
      path,
      body: patchDocument(this.scope, change),
      headers: version !== null ? { 'If-Match': version } : {},
    });
    if (res.status === 200) return this.loaded(res);
    if (res.status === 412) throw new SettingsChangedElsewhereError();
    // The extension went away since the load: say so and let the form reload, never write elsewhere unasked.
    if (res.status === 404) throw new SettingsStorageChangedError();
    const problems = res.status >= 400 && res.status < 500 && res.status !== 429 ? parseErrorDocument(res.body, res.status) : null;
    if (problems) {
      throw new SettingsRejectedError(
        problems.map((p): FieldError => ({ key: p.field !== null && isSettingKey(p.field) ? p.field : null, title: p.title, message: p.detail })),
      );
    }
    throw errorFromResponse(res.status, res.headers, res.body, `PATCH ${path}`);
  }

  private path(): string {
    return `/api/outlooksettings/${this.scope}${forUserQuery(this.forUser)}`;
  }

  private loaded(res: CrmResponse): LoadedSettings {
    const parsed = parseOutlookSettings(res.body, this.scope);
    if (!parsed.ok) throw new MalformedResponseError(`The CRM answered unreadable settings: ${parsed.reason}`);
    return { scope: this.scope, settings: parsed.settings, version: res.headers.get('ETag'), storedIn: { kind: 'crm' } };
  }
}
