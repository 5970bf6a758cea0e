import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawApiClient } from '../support/api-client';
import { SipPeer, rand } from '../support/sip-peer';
import { outsideInvite } from '../support/scenarios';
import { startTestCore, type TestCore } from '../support/test-core';

let core: TestCore;
let directory: Server;
const asked: string[] = [];
const opened: Array<{ close(): void }> = [];

beforeAll(async () => {
  // A stand-in for the public number directory, on loopback.
  directory = createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams.get('q') ?? '';
    asked.push(q);
    res.setHeader('Content-Type', 'application/json');
    if (q === '+4755566677') {
      res.end(
        JSON.stringify({
          name: '<b>Kari Kunde</b>',
          company: 'Kunde AS',
          address: 'Storgata 1, 0155 Oslo',
        }),
      );
    } else res.end('null');
  });
  await new Promise<void>((r) => directory.listen(0, '127.0.0.1', () => r()));
  const port = (directory.address() as AddressInfo).port;
  core = await startTestCore({ LOOKUP_URL_TEMPLATE: `http://127.0.0.1:${port}/lookup?q={number}` });
});
afterAll(async () => {
  for (const o of opened) o.close();
  await core?.close();
  directory?.close();
});

async function callIn(from: string) {
  const peer = await SipPeer.connect(core.wsUrl);
  opened.push(peer);
  peer.send(
    outsideInvite({ peer, to: '+4721000000', fromNumber: from, callId: rand(), fromTag: rand() }),
  );
  await peer.expectResponse(182, 'INVITE');
}

describe('number lookup on incoming calls', () => {
  it('tells operators who a waiting caller is, from the lookup service, as plain text', async () => {
    const kari = await RawApiClient.connect(core.wsUrl);
    opened.push(kari);
    await kari.command('auth.login', { username: 'kari.nordmann', password: 'demo1234' });
    await callIn('+4755566677');
    const found = await kari.waitForEvent(
      (e) => e.event === 'caller.lookup' && e.data.number === '+4755566677',
      4000,
    );
    expect(found.data).toMatchObject({
      name: '<b>Kari Kunde</b>',
      company: 'Kunde AS',
      address: 'Storgata 1, 0155 Oslo',
    });
    expect(asked).toContain('+4755566677');
  });

  it("finds a colleague's mobile in the company directory without asking the outside service", async () => {
    const kari = await RawApiClient.connect(core.wsUrl);
    opened.push(kari);
    await kari.command('auth.login', { username: 'kari.nordmann', password: 'demo1234' });
    await callIn('+4790001004'); // Bjørn Ødegård's mobile
    const found = await kari.waitForEvent(
      (e) => e.event === 'caller.lookup' && e.data.number === '+4790001004',
      4000,
    );
    expect(found.data).toMatchObject({ name: 'Bjørn Ødegård' });
    expect(asked).not.toContain('+4790001004');
  });
});
