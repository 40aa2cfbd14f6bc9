import { OfficeMockObject } from 'office-addin-mock';

// office-addin-mock needs only the OfficeApp enum from office-addin-manifest, whose package entry drags in an
// ESM-only dependency jest cannot require; serve the enum's own CommonJS file instead.
jest.mock('office-addin-manifest', () => jest.requireActual('office-addin-manifest/lib/officeApp'));
import { startWhenOfficeReady, whenOfficeReady, type HostInfo } from '../../src/taskpane/office-host';

/** An Office mock (office-addin-mock, Outlook seed) whose onReady resolves only when told to. */
function outlookMock(host: string | null = 'Outlook') {
  let ready!: () => void;
  const gate = new Promise<void>((resolve) => (ready = resolve));
  const seed = {
    host: 'outlook',
    HostType: { Outlook: 'Outlook', Excel: 'Excel' },
    onReady: () => gate.then(() => ({ host, platform: host ? 'OfficeOnline' : null })),
    context: { mailbox: { userProfile: { emailAddress: 'alice@example.com' } } },
  };
  const office = new OfficeMockObject(seed) as unknown as typeof Office;
  return { office, ready };
}

describe('office host adapter', () => {
  test('the pane renders only after Office.onReady, and knows it is inside Outlook', async () => {
    const { office, ready } = outlookMock();
    const rendered: HostInfo[] = [];
    const started = startWhenOfficeReady((host) => rendered.push(host), office);

    await new Promise((resolve) => setImmediate(resolve));
    expect(rendered).toEqual([]);

    ready();
    await started;
    expect(rendered).toEqual([{ kind: 'outlook', host: 'Outlook', platform: 'OfficeOnline' }]);
  });

  test('onReady answering host null (a plain browser with office.js) means standalone', async () => {
    const { office, ready } = outlookMock(null);
    ready();
    await expect(whenOfficeReady(office)).resolves.toEqual({ kind: 'standalone', host: null, platform: null });
  });

  test('another Office host is told apart from Outlook', async () => {
    const { office, ready } = outlookMock('Excel');
    ready();
    await expect(whenOfficeReady(office)).resolves.toMatchObject({ kind: 'other-office', host: 'Excel' });
  });

  test('without office.js at all (offline dev) the pane still starts, standalone', async () => {
    const rendered: HostInfo[] = [];
    await startWhenOfficeReady((host) => rendered.push(host), undefined);
    expect(rendered).toEqual([{ kind: 'standalone', host: null, platform: null }]);
  });
});
