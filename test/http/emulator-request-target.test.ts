import http from 'node:http';
import { startTestCrm, type TestCrm } from '../emulators/crm/testing';
import { startGraph, type Harness } from '../emulators/graph/testing';

/** A GET with the request target sent exactly as given (fetch would normalise it). */
function rawGet(baseUrl: string, target: string): Promise<{ status: number; text: string; json: any }> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: target, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('CRM emulator request targets', () => {
  let t: TestCrm;
  beforeAll(async () => (t = await startTestCrm()));
  afterAll(async () => t.dispose());

  test('the path // is an unknown route: 404 in the JSON:API error shape, not a 500', async () => {
    const res = await rawGet(t.crm.url, '//');
    expect(res.status).toBe(404);
    expect(res.json.errors[0]).toMatchObject({ status: '404', title: 'not found http exception' });
  });

  test('a path starting with // is routed as a path, never read as a host', async () => {
    const res = await rawGet(t.crm.url, '//elsewhere/_control/stats');
    expect(res.status).toBe(404);
    expect(res.json.errors[0].detail).toContain('//elsewhere/_control/stats');
  });

  test('a target that is no URL answers 400 in the JSON:API error shape and the server keeps serving', async () => {
    const res = await rawGet(t.crm.url, 'http://[');
    expect(res.status).toBe(400);
    expect(res.json.errors[0]).toMatchObject({ status: '400', title: 'bad request http exception' });
    expect((await rawGet(t.crm.url, '/_control/stats')).status).toBe(200);
  });
});

describe('Graph emulator request targets', () => {
  let h: Harness;
  beforeAll(async () => (h = await startGraph()));
  afterAll(async () => h.close());

  test('the path // answers like / (the HTML view), not a 500', async () => {
    const res = await rawGet(h.emulator.url, '//');
    expect(res.status).toBe(200);
    expect(res.text).toContain('Graph emulator');
  });

  test("a path starting with // is routed as a path: Graph's 400 for an unknown segment", async () => {
    const res = await rawGet(h.emulator.url, '//elsewhere/_control/stats');
    expect(res.status).toBe(400);
    expect(res.json.error.message).toBe("Resource not found for the segment 'stats'.");
  });

  test("a target that is no URL answers 400 in Graph's error shape and the server keeps serving", async () => {
    const res = await rawGet(h.emulator.url, 'http://[');
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: 'BadRequest' });
    expect(res.json.error.message).toContain('not a valid URL');
    expect((await rawGet(h.emulator.url, '/_control/stats')).status).toBe(200);
  });
});
