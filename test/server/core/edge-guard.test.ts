/**
 * The edge's cheap refusals: WebSocket upgrades from another site's pages, and SIP scanners
 * (dropped without an answer).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { originAllowed } from '../../../src/server/http/edge-guard';
import { SipPeer, rand } from '../support/sip-peer';
import { DOMAIN } from '../support/scenarios';
import { startTestCore, type TestCore } from '../support/test-core';

let core: TestCore;
beforeAll(async () => {
  core = await startTestCore();
});
afterAll(async () => {
  await core?.close();
});

function open(path: string, origin: string | undefined): Promise<'open' | number> {
  const ws = new WebSocket(`${core.wsUrl}${path}`, path === '/sip' ? 'sip' : undefined, {
    ...(origin ? { origin } : {}),
  });
  return new Promise((resolve) => {
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(0));
  });
}

function options(host: string, userAgent: string): string {
  return [
    `OPTIONS sip:${DOMAIN} SIP/2.0`,
    `Via: SIP/2.0/WSS ${host};branch=z9hG4bK${rand()}`,
    'Max-Forwards: 70',
    `To: <sip:${DOMAIN}>`,
    `From: <sip:probe@${host}>;tag=${rand()}`,
    `Call-ID: ${rand()}`,
    'CSeq: 1 OPTIONS',
    `User-Agent: ${userAgent}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe('edge guard', () => {
  it('refuses /api and /sip upgrades from pages of another origin (403), allows its own and non-browsers', async () => {
    const own = new URL(core.wsUrl.replace(/^ws/, 'http')).origin;
    expect(await open('/api', 'https://evil.example')).toBe(403);
    expect(await open('/sip', 'https://evil.example')).toBe(403);
    expect(await open('/api', own)).toBe('open');
    expect(await open('/sip', own)).toBe('open');
    expect(await open('/api', undefined)).toBe('open');
  });

  it('allows configured origins exactly, and nothing that only looks alike', () => {
    const allowed = ['https://switchboard.example.com'];
    expect(originAllowed('https://switchboard.example.com', 'core:8080', allowed)).toBe(true);
    expect(originAllowed('https://switchboard.example.com.evil.io', 'core:8080', allowed)).toBe(
      false,
    );
    expect(originAllowed('http://switchboard.example.com', 'core:8080', allowed)).toBe(false);
    expect(originAllowed('null', 'core:8080', allowed)).toBe(false);
    expect(originAllowed('http://core:8080', 'core:8080', [])).toBe(true);
  });

  it('drops requests from known SIP scanners without any answer, and answers everyone else', async () => {
    const peer = await SipPeer.connect(core.wsUrl);
    try {
      for (const ua of ['friendly-scanner', 'sipvicious 0.3.0', 'sipcli/v1.8']) {
        peer.send(options(peer.host, ua));
      }
      await peer.expectSilence(400);
      peer.send(options(peer.host, 'Zoiper rv2.10'));
      await peer.expectResponse(200, 'OPTIONS');
    } finally {
      peer.close();
    }
  });
});
