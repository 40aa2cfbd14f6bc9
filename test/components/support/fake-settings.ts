// An in-memory SettingsService with scripted failures, standing in for the CRM in component tests.
import { resolveSettings, type ScopeChain, type StoredValues } from '../../../src/settings/scopes';
import {
  SettingsChangedElsewhereError,
  SettingsRejectedError,
  type FieldError,
  type LoadedSettings,
  type SettingsChange,
  type SettingsService,
  type SettingsStorage,
} from '../../../src/settings/service';

export interface FakeSettingsOptions {
  organization?: StoredValues;
  user?: StoredValues;
  storedIn?: SettingsStorage;
}

export class FakeSettingsService implements SettingsService {
  readonly chain: ScopeChain;
  readonly saves: SettingsChange[] = [];
  loads = 0;
  version = 1;
  storedIn: SettingsStorage;
  /** The next save rejects with these field errors. */
  rejectNextSaveWith: FieldError[] | null = null;
  /** The next save answers "changed elsewhere" after applying this change to the stored values. */
  changeElsewhereBeforeNextSave: StoredValues | null = null;
  /** Hold load() until release() is called. */
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;

  constructor(options: FakeSettingsOptions = {}) {
    this.chain = { organization: { ...options.organization }, user: { ...options.user } };
    this.storedIn = options.storedIn ?? { kind: 'crm' };
  }

  holdLoads(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = null;
  }

  async load(): Promise<LoadedSettings> {
    this.loads += 1;
    if (this.gate) await this.gate;
    return this.snapshot();
  }

  async save(change: SettingsChange, version: string | null): Promise<LoadedSettings> {
    this.saves.push(change);
    if (this.rejectNextSaveWith) {
      const errors = this.rejectNextSaveWith;
      this.rejectNextSaveWith = null;
      throw new SettingsRejectedError(errors);
    }
    if (this.changeElsewhereBeforeNextSave) {
      Object.assign(this.chain.user!, this.changeElsewhereBeforeNextSave);
      this.changeElsewhereBeforeNextSave = null;
      this.version += 1;
    }
    if (version !== null && version !== String(this.version)) throw new SettingsChangedElsewhereError();
    const user = this.chain.user!;
    for (const [key, c] of Object.entries(change)) {
      if (!c) continue;
      if (c.useParentScope) delete user[key as keyof StoredValues];
      else user[key as keyof StoredValues] = c.value;
    }
    this.version += 1;
    return this.snapshot();
  }

  private snapshot(): LoadedSettings {
    return { scope: 'user', settings: resolveSettings('user', this.chain), version: String(this.version), storedIn: this.storedIn };
  }
}
