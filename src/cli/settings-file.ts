// The headless runner's place for the user's own settings against a stock Oro (no outlooksettings
// extension): a small JSON file, since Office roaming settings are out of reach outside Outlook.
import fs from 'node:fs';
import path from 'node:path';
import type { OverridesStore } from '../settings/local-overrides';

/** The default: beside the state file (`alice.sync.sqlite` → `alice.sync.settings.json`). */
export function defaultSettingsFile(stateFile: string): string {
  const parsed = path.parse(stateFile);
  return path.join(parsed.dir, `${parsed.name}.settings.json`);
}

export function fileOverridesStore(file: string): OverridesStore {
  return {
    where: file,
    load: async () => {
      let text: string;
      try {
        text = await fs.promises.readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
        throw error;
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new Error(`${file} is not JSON; fix or delete it (it holds only your own MS Outlook Settings).`);
      }
    },
    save: async (values) => {
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.tmp`;
      await fs.promises.writeFile(temp, `${JSON.stringify(values, null, 2)}\n`);
      await fs.promises.rename(temp, file);
    },
  };
}
