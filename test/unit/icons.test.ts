// Issue 2 audit: the project's own icons at 16, 32, 64, 80 and 128 px exist, are PNGs of that size, and
// the manifest references every one of them (so the build ships and Outlook shows them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pngSize } from '../../scripts/manifest-check';

const ROOT = join(__dirname, '..', '..');
const manifest = readFileSync(join(ROOT, 'manifest.xml'), 'utf8');

describe.each([16, 32, 64, 80, 128])('icon-%i.png', (size) => {
  test('is a PNG of exactly that size', () => {
    expect(pngSize(readFileSync(join(ROOT, 'assets', `icon-${size}.png`)))).toEqual({ width: size, height: size });
  });

  test('is referenced by manifest.xml', () => {
    expect(manifest).toContain(`https://localhost:3000/assets/icon-${size}.png`);
  });
});
