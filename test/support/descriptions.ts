// Canonical descriptions for property tests: plain text as rich-text.ts normalizes it (or null).
import fc from 'fast-check';
import { normalizeText } from '../../src/sync/rich-text';

const line = fc.string({ maxLength: 30 });
/** Texts with several lines, blank lines, markup-like characters and entities, as canonical text. */
export const canonicalDescription: fc.Arbitrary<string | null> = fc
  .option(fc.array(fc.oneof(line, fc.constantFrom('', '<b>bold</b>', 'a & b', '&amp;', 'x < y > z', '  spaced  out ', 'Ünïcødé ✓')), { maxLength: 5 }), { nil: null })
  .map((lines) => (lines === null ? null : normalizeText(lines.join('\n'))));

/** Minutes before the start, as both services can hold them (null: no reminder). */
export const canonicalReminder: fc.Arbitrary<number | null> = fc.option(fc.oneof(fc.constantFrom(0, 5, 15, 30, 60, 1440, 10080), fc.integer({ min: 0, max: 40320 })), { nil: null });
