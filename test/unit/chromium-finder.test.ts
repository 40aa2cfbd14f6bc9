// How the browser tests find Chromium (test/support/chromium.ts); installing it is exercised by a first run.
import { CHROMIUM_CANDIDATES, INSTALL_HINT, findChromium } from '../support/chromium';

describe('findChromium', () => {
  it('uses CHROME_PATH when it names an executable', () => {
    expect(findChromium({ CHROME_PATH: process.execPath }, [])).toBe(process.execPath);
  });

  it('rejects a CHROME_PATH that is not an executable, naming it, instead of silently looking elsewhere', () => {
    expect(() => findChromium({ CHROME_PATH: '/nonexistent/chromium' }, CHROMIUM_CANDIDATES)).toThrow('CHROME_PATH=/nonexistent/chromium is not an executable file.');
  });

  it('takes the first usual location that exists', () => {
    expect(findChromium({}, ['/nonexistent/chromium', process.execPath, '/bin/sh'])).toBe(process.execPath);
  });

  it('finds nothing when no usual location exists', () => {
    expect(findChromium({}, ['/nonexistent/a', '/nonexistent/b'])).toBeUndefined();
  });

  it('the instruction for a machine without Chromium is one line naming CHROME_PATH', () => {
    expect(INSTALL_HINT).not.toContain('\n');
    expect(INSTALL_HINT).toMatch(/CHROME_PATH/);
  });
});
