// The few Fluent icons the pane uses, as inline glyphs. initializeIcons() would fetch an icon font from
// Microsoft's CDN on every load; these need no network and work in tests and offline dev.
import { registerIcons, setIconOptions } from '@fluentui/react';

const GLYPHS: Record<string, string> = {
  CheckMark: '\u2713',
  Completed: '\u2714',
  Info: '\u2139',
  ErrorBadge: '\u2716',
  Warning: '\u26A0',
  Blocked2: '\u26D4',
  Clear: '\u2715',
  Cancel: '\u2715',
  ChevronDown: '\u2304',
  ChevronUp: '\u2303',
  ChevronDownSmall: '\u2304',
  ChevronUpSmall: '\u2303',
  SignOut: '\u21AA',
};

let registered = false;

export function registerPaneIcons(): void {
  if (registered) return;
  registered = true;
  setIconOptions({ disableWarnings: true });
  registerIcons({
    icons: Object.fromEntries(Object.entries(GLYPHS).map(([name, glyph]) => [name, <span aria-hidden="true">{glyph}</span>])),
  });
}
