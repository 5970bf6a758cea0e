/**
 * Calls through a tenant's SIP trunk (issue 6) with a scripted carrier on UDP: a user's call to
 * an external number goes out with the presented number, the carrier's digest challenge is
 * answered, audio-path signalling (ACK, BYE) follows the authorized INVITE; the toll-fraud
 * guard and the presented-number rule refuse with exact statuses; the carrier's own calls to
 * the main number are taken as calls from outside; the admin API hides the password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawApiClient } from '../support/api-client';
import {
  DOMAIN,
  SDP,
  authenticatedInvite,
  ack,
  inDialog,
  loginAndRegister,
  uriOf,
  type Registered,
} from '../support/scenarios';
import { md5, rand, type ReceivedMessage } from '../support/sip-peer';
import { startTestCore, type TestCore } from '../support/test-core';
import { loginEnrolled } from '../support/two-factor';
import { UdpPeer } from '../support/udp-peer';

let core: TestCore;
let carrier: UdpPeer;
let admin: RawApiClient;
let kari: Registered;

const CARRIER_PASSWORD = 'c4rrier-s3cret';

beforeAll(async () => {
  core = await startTestCore();
  carrier = await UdpPeer.open();
  admin = await RawApiClient.connect(core.wsUrl);
  await loginEnrolled(admin, 'admin', 'admin1234');
  kari = await loginAndRegister(core.wsUrl, 'kari.nordmann');
});
afterAll(async () => {
  carrier?.close();
  admin?.close();
  kari?.peer.close();
  kari?.api.close();
  await core?.close();
});

async function saveTrunk(overrides: Record<string, unknown> = {}) {
  return (await admin.command('trunk.save', {
    enabled: true,
    transport: 'udp',
    host: '127.0.0.1',
    port: carrier.port,
    username: 'nordlys',
    password: CARRIER_PASSWORD,
    fromDomain: 'carrier.invalid',
    allowedPrefixes: ['+47'],
    callsPerMinute: 4,
    inboundAddresses: [],
    ...overrides,
  })) as { ok: boolean; result?: { trunk: Record<string, unknown> }; error?: { code: string } };
}

/** The carrier's check of the core's credentials, computed independently. */
function carrierAccepts(authorization: string, method: string): boolean {
  const p = Object.fromEntries(
    [...authorization.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1], m[2] ?? m[3]]),
  );
  if (p['username'] !== 'nordlys' || p['realm'] !== 'carrier') return false;
  const ha1 = md5(`${p['username']}:${p['realm']}:${CARRIER_PASSWORD}`);
  const ha2 = md5(`${method}:${p['uri']}`);
  return p['response'] === md5(`${ha1}:${p['nonce']}:${p['nc']}:${p['cnonce']}:${p['qop']}:${ha2}`);
}

function carrierResponse(
  req: ReceivedMessage,
  status: number,
  reason: string,
  extra: string[] = [],
  body = '',
): string {
  return [
    `SIP/2.0 ${status} ${reason}`,
    ...req.headers('Via').map((v) => `Via: ${v}`),
    `To: ${req.header('To')}${status > 100 ? ';tag=carrier1' : ''}`,
    `From: ${req.header('From')}`,
    `Call-ID: ${req.header('Call-ID')}`,
    `CSeq: ${req.header('CSeq')}`,
    ...extra,
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** Where the core's requests to the carrier come from (its UDP port). */
const corePort = () => core.core.sipPorts.udp ?? 0;

describe('trunk settings (admin API)', () => {
  it('are saved by an admin and never give the password back', async () => {
    const saved = await saveTrunk();
    expect(saved.ok).toBe(true);
    expect(saved.result?.trunk).toMatchObject({ host: '127.0.0.1', hasPassword: true });
    expect(JSON.stringify(saved.result)).not.toContain(CARRIER_PASSWORD);
    const got = (await admin.command('trunk.get', {})) as { result: { trunk: object } };
    expect(got.result.trunk).toMatchObject({ username: 'nordlys', hasPassword: true });
    expect(JSON.stringify(got)).not.toContain(CARRIER_PASSWORD);
  });

  it('are refused to an operator with forbidden', async () => {
    const reply = (await kari.api.command('trunk.get', {})) as {
      ok: boolean;
      error: { code: string };
    };
    expect(reply.ok).toBe(false);
    expect(reply.error.code).toBe('forbidden');
  });
});

describe('a user calls an external number through the trunk', () => {
  it('answers the carrier digest challenge, shows the main number, and connects; BYE reaches the carrier', async () => {
    const { callId } = await authenticatedInvite(kari, '90000011');
    await kari.peer.expectResponse(100, 'INVITE').catch(() => undefined);

    const first = await carrier.expectRequest('INVITE');
    expect(first.text.split('\r\n')[0]).toBe(
      `INVITE sip:+4790000011@127.0.0.1:${carrier.port} SIP/2.0`,
    );
    expect(uriOf(first.header('From'))).toBe('sip:+4721000000@carrier.invalid');
    expect(uriOf(first.header('P-Asserted-Identity'))).toBe('sip:+4721000000@carrier.invalid');
    expect(first.header('Via')).toContain(`127.0.0.1:${corePort()}`);
    carrier.send(
      carrierResponse(first, 407, 'Proxy Authentication Required', [
        'Proxy-Authenticate: Digest realm="carrier", nonce="n-1", qop="auth", algorithm=MD5',
      ]),
      corePort(),
    );
    const ackOf407 = await carrier.expectRequest('ACK');
    expect(ackOf407.header('CSeq')).toBe('1 ACK');

    const second = await carrier.expectRequest('INVITE');
    expect(second.header('CSeq')).toBe('2 INVITE');
    expect(second.header('Call-ID')).toBe(first.header('Call-ID'));
    expect(carrierAccepts(second.header('Proxy-Authorization') ?? '', 'INVITE')).toBe(true);
    // The user's phone never heard of the challenge.
    carrier.send(carrierResponse(second, 180, 'Ringing'), corePort());
    await kari.peer.expectResponse(180, 'INVITE');
    carrier.send(
      carrierResponse(second, 200, 'OK', [`Contact: <sip:gw@${carrier.hostPort}>`], SDP),
      corePort(),
    );
    const ok = await kari.peer.expectResponse(200, 'INVITE');
    const ackToCarrier = carrier.expectRequest('ACK');
    kari.peer.send(
      [
        `ACK ${uriOf(ok.header('Contact'))} SIP/2.0`,
        `Via: SIP/2.0/WSS ${kari.peer.host};branch=z9hG4bK${rand()}`,
        'Max-Forwards: 70',
        `To: ${ok.header('To')}`,
        `From: ${ok.header('From')}`,
        `Call-ID: ${callId}`,
        'CSeq: 2 ACK',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    expect((await ackToCarrier).header('CSeq')).toBe('2 ACK');

    kari.peer.send(
      inDialog({
        method: 'BYE',
        host: kari.peer.host,
        requestUri: uriOf(ok.header('Contact')),
        from: ok.header('From') ?? '',
        to: ok.header('To') ?? '',
        callId,
        cseq: 3,
      }),
    );
    const bye = await carrier.expectRequest('BYE');
    expect(bye.text.split('\r\n')[0]).toBe(`BYE sip:gw@${carrier.hostPort} SIP/2.0`);
    carrier.send(carrierResponse(bye, 200, 'OK'), corePort());
    await kari.peer.expectResponse(200, 'BYE');

    // The call is recorded as outgoing, to the number, with no user at the far end.
    await core.core.switchboard.flush();
    const rows = await core.core.db.query<{ direction: string; callee_number: string | null }>(
      `SELECT direction, callee_number FROM call_records WHERE leg = 'outbound' AND callee_number = '+4790000011'`,
    );
    expect(rows.map((r) => r.direction)).toContain('outgoing');
  });

  it('shows the mobile when the phone asks for it (P-Preferred-Identity)', async () => {
    await authenticatedInvite(kari, '+4790000012', [
      `P-Preferred-Identity: <sip:+4740001001@${DOMAIN}>`,
    ]);
    const inv = await carrier.expectRequest('INVITE');
    expect(uriOf(inv.header('From'))).toBe('sip:+4740001001@carrier.invalid');
    expect(uriOf(inv.header('P-Asserted-Identity'))).toBe('sip:+4740001001@carrier.invalid');
    expect(inv.header('P-Preferred-Identity')).toBeUndefined();
    carrier.send(carrierResponse(inv, 486, 'Busy Here'), corePort());
    await carrier.expectRequest('ACK');
    await kari.peer.expectResponse(486, 'INVITE');
  });

  it('refuses a number the user may not show with 403 and sends nothing to the carrier', async () => {
    await authenticatedInvite(kari, '90000013', [
      `P-Preferred-Identity: <sip:+4799999999@${DOMAIN}>`,
    ]);
    const res = await kari.peer.expectResponse(403, 'INVITE');
    expect(res.text.split('\r\n')[0]).toBe('SIP/2.0 403 Number Not Allowed');
  });

  it('refuses destinations outside the allowed prefixes (toll-fraud guard) with 403', async () => {
    await authenticatedInvite(kari, '+881612345678');
    const res = await kari.peer.expectResponse(403, 'INVITE');
    expect(res.text.split('\r\n')[0]).toBe('SIP/2.0 403 Destination Not Allowed');
  });

  it('stops a burst of external calls at the per-minute limit with 503', async () => {
    // Two external calls were placed above; the limit is 4 a minute.
    for (const n of ['90000014', '90000015']) {
      await authenticatedInvite(kari, n);
      const inv = await carrier.expectRequest('INVITE');
      carrier.send(carrierResponse(inv, 486, 'Busy Here'), corePort());
      await carrier.expectRequest('ACK');
      await kari.peer.expectResponse(486, 'INVITE');
    }
    await authenticatedInvite(kari, '90000016');
    const res = await kari.peer.expectResponse(503, 'INVITE');
    expect(res.text.split('\r\n')[0]).toBe('SIP/2.0 503 External Call Limit Reached');
    expect(carrier.all.filter((m) => m.text.includes('90000016'))).toHaveLength(0);
  });

  it('never lets an unauthenticated caller reach the trunk: a 407 challenge first', async () => {
    const callId = rand();
    kari.peer.send(
      [
        `INVITE sip:90000017@${DOMAIN} SIP/2.0`,
        `Via: SIP/2.0/WSS ${kari.peer.host};branch=z9hG4bK${rand()}`,
        'Max-Forwards: 70',
        `To: <sip:90000017@${DOMAIN}>`,
        `From: <sip:kari.nordmann@${DOMAIN}>;tag=${rand()}`,
        `Call-ID: ${callId}`,
        'CSeq: 1 INVITE',
        `Contact: <sip:x@${kari.peer.host};transport=ws>`,
        'Content-Type: application/sdp',
        `Content-Length: ${Buffer.byteLength(SDP)}`,
        '',
        SDP,
      ].join('\r\n'),
    );
    const challenge = await kari.peer.expectResponse(407, 'INVITE');
    kari.peer.send(
      ack(kari, '90000017', callId, 1, challenge.header('To') ?? '', challenge.header('Via') ?? ''),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(carrier.all.filter((m) => m.text.includes('90000017'))).toHaveLength(0);
  });
});

describe('calls from the carrier', () => {
  it('to the main number are calls from outside: queued with 182, no credentials asked', async () => {
    const callId = rand();
    carrier.send(
      [
        `INVITE sip:+4721000000@127.0.0.1:${corePort()} SIP/2.0`,
        `Via: SIP/2.0/UDP ${carrier.hostPort};rport;branch=z9hG4bK${rand()}`,
        'Max-Forwards: 70',
        `To: <sip:+4721000000@127.0.0.1>`,
        `From: "Kunde" <sip:4790000099@carrier.invalid>;tag=${rand()}`,
        `Call-ID: ${callId}`,
        'CSeq: 1 INVITE',
        `Contact: <sip:4790000099@${carrier.hostPort}>`,
        'Content-Type: application/sdp',
        `Content-Length: ${Buffer.byteLength(SDP)}`,
        '',
        SDP,
      ].join('\r\n'),
      corePort(),
    );
    const queued = await carrier.expectResponse(182, 'INVITE');
    expect(queued.header('Call-ID')).toBe(callId);
    const tenantId = core.core.people.tenantByDomain(DOMAIN)?.id ?? '';
    const waiting = core.core.switchboard.snapshot(tenantId).callers.map((c) => c.number);
    expect(waiting).toContain('+4790000099');
  });

  it('from another address to the same number are asked for credentials', async () => {
    const stranger = await UdpPeer.open();
    try {
      stranger.send(
        [
          `INVITE sip:+4790000011@127.0.0.1:${corePort()} SIP/2.0`,
          `Via: SIP/2.0/UDP ${stranger.hostPort};rport;branch=z9hG4bK${rand()}`,
          'Max-Forwards: 70',
          `To: <sip:+4790000011@127.0.0.1>`,
          `From: <sip:4790000098@elsewhere.invalid>;tag=${rand()}`,
          `Call-ID: ${rand()}`,
          'CSeq: 1 INVITE',
          `Contact: <sip:x@${stranger.hostPort}>`,
          'Content-Length: 0',
          '',
          '',
        ].join('\r\n'),
        corePort(),
      );
      const res = await stranger.expect((m) => (m.status ?? 0) >= 400);
      expect([403, 404, 407]).toContain(res.status);
      expect(carrier.all.filter((m) => m.text.includes('4790000098'))).toHaveLength(0);
    } finally {
      stranger.close();
    }
  });
});

describe('calls the company forwards to external numbers', () => {
  it('overflow with no agents goes out through the trunk, the main number asserted, the caller shown', async () => {
    expect((await saveTrunk({ callsPerMinute: 100 })).ok).toBe(true);
    const queue = (await admin.command('queue.save', {
      name: 'Vakt',
      number: '1090',
      strategy: 'ring-all',
      ringTimeoutS: 20,
      wrapUpS: 0,
      maxWaitS: null,
      maxLength: null,
      overflowTarget: null,
      noAgentsTarget: { kind: 'number', id: '+4790000055' },
      autoPauseAfterMisses: null,
      isMain: false,
      members: [],
    })) as { ok: boolean };
    expect(queue.ok).toBe(true);
    const caller = await UdpPeer.open();
    try {
      caller.send(
        [
          `INVITE sip:1090@${DOMAIN} SIP/2.0`,
          `Via: SIP/2.0/UDP ${caller.hostPort};rport;branch=z9hG4bK${rand()}`,
          'Max-Forwards: 70',
          `To: <sip:1090@${DOMAIN}>`,
          `From: "Kunde" <sip:+4790000044@outside.invalid>;tag=${rand()}`,
          `Call-ID: ${rand()}`,
          'CSeq: 1 INVITE',
          `Contact: <sip:c@${caller.hostPort}>`,
          'Content-Type: application/sdp',
          `Content-Length: ${Buffer.byteLength(SDP)}`,
          '',
          SDP,
        ].join('\r\n'),
        corePort(),
      );
      const out = await carrier.expectRequest('INVITE');
      expect(out.text.split('\r\n')[0]).toBe(
        `INVITE sip:+4790000055@127.0.0.1:${carrier.port} SIP/2.0`,
      );
      expect(uriOf(out.header('P-Asserted-Identity'))).toBe('sip:+4721000000@carrier.invalid');
      expect(uriOf(out.header('From'))).toMatch(/^sip:\+4790000044@/);
      carrier.send(carrierResponse(out, 180, 'Ringing'), corePort());
      carrier.send(
        carrierResponse(out, 200, 'OK', [`Contact: <sip:gw@${carrier.hostPort}>`], SDP),
        corePort(),
      );
      const ok = await caller.expectResponse(200, 'INVITE');
      expect(ok.body).toContain('v=0');
    } finally {
      caller.close();
    }
  });

  it("an absent colleague's forward to a mobile rings it through the trunk", async () => {
    const list = (await admin.command('directory.list', {})) as {
      result: { people: Array<{ id: string; username: string }> };
    };
    const ola = list.result.people.find((p) => p.username === 'ola.hansen')?.id;
    const set = (await kari.api.command('absence.set', {
      userId: ola,
      reason: 'meeting',
      callHandling: 'forward',
      forwardNumber: '900 00 056',
    })) as { ok: boolean };
    expect(set.ok).toBe(true);
    await authenticatedInvite(kari, '1007');
    const out = await carrier.expectRequest('INVITE');
    expect(out.text.split('\r\n')[0]).toBe(
      `INVITE sip:+4790000056@127.0.0.1:${carrier.port} SIP/2.0`,
    );
    expect(uriOf(out.header('P-Asserted-Identity'))).toBe('sip:+4721000000@carrier.invalid');
    carrier.send(carrierResponse(out, 486, 'Busy Here'), corePort());
    await carrier.expectRequest('ACK');
    await kari.peer.expectResponse(486, 'INVITE');
  });
});
