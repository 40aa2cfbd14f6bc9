import { spawn } from 'node:child_process';
import path from 'node:path';
import { startGraph, tempDbFile } from '../emulators/graph/testing';

test('data and tokens survive a restart on the same database, and the seed is not repeated', async () => {
  const dbFile = tempDbFile();
  const first = await startGraph({ dbFile });
  const token = await first.token('alice');
  const created = await first.call('POST', '/v1.0/me/contacts', { givenName: 'Kept' });
  await first.close();

  const second = await startGraph({ dbFile });
  try {
    const res = await fetch(`${second.emulator.url}/v1.0/me/contacts/${created.body.id}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { givenName: string }).givenName).toBe('Kept');
    const folders = await second.call('GET', '/v1.0/me/contactFolders');
    expect(folders.body.value).toHaveLength(1);
  } finally {
    await second.close();
  }
});

test('bob and admin start with empty mailboxes that have a default folder, calendar and list', async () => {
  const h = await startGraph();
  try {
    for (const user of ['bob', 'admin']) {
      expect((await h.call('GET', '/v1.0/me/contacts', undefined, {}, user)).body.value).toEqual([]);
      expect((await h.call('GET', '/v1.0/me/calendar', undefined, {}, user)).status).toBe(200);
      const lists = (await h.call('GET', '/v1.0/me/todo/lists', undefined, {}, user)).body.value;
      expect(lists.map((l: any) => l.wellknownListName)).toEqual(['defaultList']);
    }
  } finally {
    await h.close();
  }
});

test('the HTML view lists mailbox items with their text escaped; the dump route returns JSON', async () => {
  const h = await startGraph();
  try {
    await h.call('POST', '/v1.0/me/contacts', { givenName: '<script>alert(1)</script>' });
    const res = await fetch(`${h.emulator.url}/`);
    const html = await res.text();
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(html).toContain('Ann Lee');
    expect(html).toContain('Send Q4 proposal to Ann');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    const dump = (await (await fetch(`${h.emulator.url}/_control/graph/dump`)).json()) as Record<string, any>;
    expect(dump['alice@acme.test'].contact.length).toBe(6);
  } finally {
    await h.close();
  }
});

test('an unknown route answers in Graph\'s error shape', async () => {
  const h = await startGraph();
  try {
    const res = await h.call('GET', '/v1.0/me/nothingHere');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BadRequest', innerError: expect.any(Object) });
  } finally {
    await h.close();
  }
});

test('npm run graph prints its address, takes fault flags and stops cleanly on SIGTERM', async () => {
  const root = path.resolve(__dirname, '../..');
  const child = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'test/emulators/graph/main.ts', '--port', '0', '--db', tempDbFile(), '--rate-429', '1'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
  expect(line).toMatch(/^Graph emulator listening on http:\/\/127\.0\.0\.1:\d+$/);
  const url = line.replace('Graph emulator listening on ', '');
  const knobs = (await (await fetch(`${url}/_control/faults`)).json()) as { rate429: number; maxConcurrent: number };
  expect(knobs).toMatchObject({ rate429: 1, maxConcurrent: 4 });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});
