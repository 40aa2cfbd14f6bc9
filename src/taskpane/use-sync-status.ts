// React bindings for sync: the live SyncView of a runtime (with a clock for relative times), and the
// pane-level wiring that creates a runtime per session and feeds it the loaded/saved settings.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CrmSession } from '../auth/types';
import { effectiveSettings } from '../settings/scopes';
import type { OutlookSettings } from '../settings/options';
import type { LoadedSettings, SettingsService } from '../settings/service';
import type { SyncControls, SyncRuntime, SyncView } from './sync-runtime';

/** The runtime's view, re-rendered on every change, plus `now` ticking for "in 45 s" texts. */
export function useSyncView(controls: SyncControls, tickMs = 5000, clock: () => number = Date.now): { view: SyncView; now: number } {
  const [view, setView] = useState<SyncView>(() => controls.view());
  const [now, setNow] = useState(clock);
  useEffect(() => {
    setView(controls.view());
    return controls.subscribe((next) => {
      setView(next);
      setNow(clock());
    });
  }, [controls, clock]);
  useEffect(() => {
    const timer = setInterval(() => setNow(clock()), tickMs);
    return () => clearInterval(timer);
  }, [tickMs, clock]);
  return { view, now };
}

/** A SettingsService that also reports the effective values each time they are loaded or saved. */
export function observeSettings(service: SettingsService, onEffective: (settings: OutlookSettings) => void): SettingsService {
  const seen = (loaded: LoadedSettings) => {
    onEffective(effectiveSettings(loaded.settings));
    return loaded;
  };
  return {
    load: async () => seen(await service.load()),
    save: async (change, version) => seen(await service.save(change, version)),
  };
}

export type SyncRuntimeFactory = (session: CrmSession) => SyncRuntime;

/**
 * One runtime per signed-in session, stopped on sign-out (when the session goes). The settings service
 * the form uses is wrapped so every load and save reaches the runtime at once.
 */
export function usePaneSync(session: CrmSession | null, createRuntime: SyncRuntimeFactory | undefined): { settings: SettingsService | null; runtime: SyncRuntime | null } {
  const [runtime, setRuntime] = useState<SyncRuntime | null>(null);
  const runtimeRef = useRef<SyncRuntime | null>(null);
  const lastSettings = useRef<OutlookSettings | null>(null);

  const settings = useMemo(() => {
    lastSettings.current = null;
    if (!session) return null;
    if (!createRuntime) return session.settings;
    return observeSettings(session.settings, (effective) => {
      lastSettings.current = effective;
      runtimeRef.current?.settingsLoaded(effective);
    });
  }, [session, createRuntime]);

  useEffect(() => {
    if (!session || !createRuntime) return undefined;
    const created = createRuntime(session);
    runtimeRef.current = created;
    if (lastSettings.current) created.settingsLoaded(lastSettings.current);
    setRuntime(created);
    return () => {
      runtimeRef.current = null;
      setRuntime(null);
      void created.stop();
    };
  }, [session, createRuntime]);

  return { settings, runtime };
}
