// The pane's SettingsService against OroCRM: the `outlooksettings` extension when the CRM has it,
// otherwise Oro's stock configuration API in read-only mode.
import { isSettingKey, type Scope } from '../settings';
import {
  SettingsChangedElsewhereError,
  SettingsReadOnlyError,
  SettingsRejectedError,
  type FieldError,
  type LoadedSettings,
  type SettingsChange,
  type SettingsService,
} from '../settings/service';
import { MalformedResponseError } from '../sync/errors';
import { errorFromResponse, parseErrorDocument } from './errors';
import type { CrmHttp, CrmResponse } from './http';
import {
  CONFIGURATION_SECTION,
  parseConfigurationSection,
  parseOutlookSettings,
  patchDocument,
  resolveFromConfiguration,
  type ConfigSection,
} from './settings-wire';

export class CrmSettingsService implements SettingsService {
  /** Set once the CRM turned out to lack the extension. */
  private readOnly = false;

  constructor(
    private readonly http: CrmHttp,
    private readonly scope: Scope = 'user',
  ) {}

  async load(): Promise<LoadedSettings> {
    const path = this.path();
    const res = await this.http.request({ path });
    if (res.status === 404) {
      this.readOnly = true;
      return this.loadReadOnly();
    }
    if (res.status !== 200) throw errorFromResponse(res.status, res.headers, res.body, `GET ${path}`);
    this.readOnly = false;
    return this.loaded(res);
  }

  async save(change: SettingsChange, version: string | null): Promise<LoadedSettings> {
    if (this.readOnly) throw new SettingsReadOnlyError();
    const path = this.path();
    const res = await this.http.request({
      method: 'PATCH',
      path,
      body: patchDocument(this.scope, change),
      headers: version !== null ? { 'If-Match': version } : {},
    });
    if (res.status === 200) return this.loaded(res);
    if (res.status === 412) throw new SettingsChangedElsewhereError();
    if (res.status === 404) {
      this.readOnly = true;
      throw new SettingsReadOnlyError();
    }
    const problems = res.status >= 400 && res.status < 500 && res.status !== 429 ? parseErrorDocument(res.body, res.status) : null;
    if (problems) {
      throw new SettingsRejectedError(
        problems.map((p): FieldError => ({ key: p.field !== null && isSettingKey(p.field) ? p.field : null, title: p.title, message: p.detail })),
      );
    }
    throw errorFromResponse(res.status, res.headers, res.body, `PATCH ${path}`);
  }

  private path(): string {
    return `/api/outlooksettings/${this.scope}`;
  }

  private loaded(res: CrmResponse): LoadedSettings {
    const parsed = parseOutlookSettings(res.body, this.scope);
    if (!parsed.ok) throw new MalformedResponseError(`The CRM answered unreadable settings: ${parsed.reason}`);
    return { scope: this.scope, settings: parsed.settings, version: res.headers.get('ETag'), readOnly: false };
  }

  /** Stock Oro: the effective values per scope from the configuration API; the parent scopes are best effort. */
  private async loadReadOnly(): Promise<LoadedSettings> {
    const chain: Scope[] = this.scope === 'user' ? ['user', 'organization', 'global'] : this.scope === 'organization' ? ['organization', 'global'] : ['global'];
    const sections: Partial<Record<Scope, ConfigSection>> = {};
    for (const [i, scope] of chain.entries()) {
      const section = await this.readSection(scope, i === 0);
      if (!section) break;
      sections[scope] = section;
    }
    return { scope: this.scope, settings: resolveFromConfiguration(this.scope, sections), version: null, readOnly: true };
  }

  /** One scope's section; a parent scope this user may not read gives null instead of failing the load. */
  private async readSection(scope: Scope, required: boolean): Promise<ConfigSection | null> {
    const path = `/api/configuration/${CONFIGURATION_SECTION}`;
    const res = await this.http.request({ path, query: { scope, include: 'options' } });
    if (res.status !== 200) {
      if (!required && res.status >= 400 && res.status < 500 && res.status !== 429) return null;
      throw errorFromResponse(res.status, res.headers, res.body, `GET ${path}?scope=${scope}`);
    }
    const parsed = parseConfigurationSection(res.body);
    if (!parsed.ok) throw new MalformedResponseError(`The CRM answered an unreadable configuration section: ${parsed.reason}`);
    return parsed.section;
  }
}
