/**
 * Busy / no-answer forwarding per person (issue 4): a direct call to someone whose phones say
 * busy rings their busy-forward target; one nobody answers within the ring time is cancelled
 * and rings the no-answer target; an external target goes out through the tenant's trunk; a
 * call is forwarded twice at most and never back to someone it already rang. The API lets a
 * user set their own forwarding and an admin anyone's in their company, with exact error codes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawApiClient } from '../support/api-client';
import {
  DOMAIN,
  SDP,
  ack,
  authenticatedInvite,
  loginAndRegister,
  respond,
  uriOf,
  type Registered,
} from '../support/scenarios';
import { rand, type ReceivedMessage } from '../support/sip-peer';
import { hashPassword } from '../../../src/server/store/passwords';
import { startTestCore, type TestCore } from '../support/test-core';
import { callerTalkingTo } from '../support/transfer-scenarios';
import { loginEnrolled } from '../support/two-factor';
import { UdpPeer } from '../support/udp-peer';

let core: TestCore;
let admin: RawApiClient;
const people = new Map<string, Registered>();
const ids = new Map<string, string>();

interface Settings {
  busyEnabled: boolean;
  busyNumber: string | null;
  noAnswerEnabled: boolean;
  noAnswerNumber: string | null;
  ringTimeS: number;
}

const OFF: Settings = {
  busyEnabled: false,
  busyNumber: null,
  noAnswerEnabled: false,
  noAnswerNumber: null,
  ringTimeS: 20,
};

beforeAll(async () => {
  core = await startTestCore();
  admin = await RawApiClient.connect(core.wsUrl);
  await loginEnrolled(admin, 'admin', 'admin1234');
  const list = (await admin.command('directory.list', {})) as {
    result: { people: Array<{ id: string; username: string }> };
  };
  for (const p of list.result.people) ids.set(p.username, p.id);
});
afterAll(async () => {
  for (const p of people.values()) {
    p.peer.close();
    p.api.close();
  }
  admin?.close();
  await core?.close();
});

/** A person logged in with a registered (scripted) phone. */
async function person(username: string): Promise<Registered> {
  let p = people.get(username);
  if (!p) {
    p = await loginAndRegister(core.wsUrl, username);
    people.set(username, p);
  }
  return p;
}

async function forward(who: Registered, settings: Partial<Settings>): Promise<void> {
  const reply = await who.api.command('forwarding.set', { ...OFF, ...settings });
  expect(reply).toMatchObject({ ok: true });
}

/** The phone answers the core's INVITE; a failure is ACKed by the core (consumed here). */
async function answer(
  who: Registered,
  inv: ReceivedMessage,
  status: number,
  reason: string,
): Promise<void> {
  who.peer.send(
    respond(inv, status, reason, {
      toTag: rand(),
      contact: `<sip:${who.contactUser}@${who.peer.host};transport=ws>`,
      ...(status === 200 ? { body: SDP } : {}),
    }),
  );
  if (status >= 300) await who.peer.expectRequest('ACK');
}

/** The caller's final answer to its INVITE; a failure is ACKed as the transaction wants. */
async function finalAnswer(
  from: Registered,
  target: string,
  call: { callId: string; cseq: number },
  status: number,
): Promise<ReceivedMessage> {
  const res = await from.peer.expectResponse(status, 'INVITE');
  if (status >= 300) {
    from.peer.send(
      ack(from, target, call.callId, call.cseq, res.header('To') ?? '', res.header('Via') ?? ''),
    );
  }
  return res;
}

describe('routing', () => {
  it('a call to someone whose phone answers busy rings their busy-forward target, marked why', async () => {
    const kari = await person('kari.nordmann');
    const ola = await person('ola.hansen'); // 1007
    const rene = await person('rene.lie'); // 1008
    await forward(ola, { busyEnabled: true, busyNumber: '1008' });
    await authenticatedInvite(kari, '1007');
    await answer(ola, await ola.peer.expectRequest('INVITE'), 486, 'Busy Here');
    const toRene = await rene.peer.expectRequest('INVITE');
    expect(toRene.header('Diversion')).toBe(`<sip:1007@${DOMAIN}>;reason=user-busy;counter=1`);
    await answer(rene, toRene, 200, 'OK');
    const ok = await kari.peer.expectResponse(200, 'INVITE');
    expect(ok.body).toContain('v=0');
  });

  it('a decline (603) forwards like busy; a 480 does not', async () => {
    const caller = await person('hege.solberg');
    const tor = await person('tor.eriksen'); // 1006
    const martin = await person('martin.andersen'); // 1011
    await forward(tor, { busyEnabled: true, busyNumber: '1011' });
    const first = await authenticatedInvite(caller, '1006');
    await answer(tor, await tor.peer.expectRequest('INVITE'), 603, 'Decline');
    await answer(martin, await martin.peer.expectRequest('INVITE'), 486, 'Busy Here');
    await finalAnswer(caller, '1006', first, 486);

    const second = await authenticatedInvite(caller, '1006');
    await answer(tor, await tor.peer.expectRequest('INVITE'), 480, 'Temporarily Unavailable');
    await finalAnswer(caller, '1006', second, 480);
    await martin.peer.expectSilence(300);
  });

  it('a call nobody answers within the ring time is cancelled and rings the no-answer target', async () => {
    const caller = await person('camilla.kristiansen');
    const nina = await person('nina.jensen'); // 1015
    const lars = await person('lars.johansen'); // 1009
    await forward(nina, {
      busyEnabled: true,
      busyNumber: '1008',
      noAnswerEnabled: true,
      noAnswerNumber: '1009',
      ringTimeS: 5,
    });
    await authenticatedInvite(caller, '1015');
    const toNina = await nina.peer.expectRequest('INVITE');
    const ninaTag = rand();
    nina.peer.send(respond(toNina, 180, 'Ringing', { toTag: ninaTag }));
    await caller.peer.expectResponse(180, 'INVITE');
    // Lars's phone stays quiet while Nina's rings.
    await lars.peer.expectSilence(1000);
    const cancel = await nina.peer.expect((m) => m.method === 'CANCEL', 8000);
    nina.peer.send(respond(cancel, 200, 'OK'));
    nina.peer.send(respond(toNina, 487, 'Request Terminated', { toTag: ninaTag }));
    const toLars = await lars.peer.expectRequest('INVITE');
    expect(toLars.header('Diversion')).toBe(`<sip:1015@${DOMAIN}>;reason=no-answer;counter=1`);
    await answer(lars, toLars, 200, 'OK');
    await caller.peer.expectResponse(200, 'INVITE');
  }, 15_000);

  it('forwards at most twice (A→B→C stops at C) and never back to someone it rang (A→B→A)', async () => {
    const caller = await person('ida.pedersen');
    const a = await person('sofie.berg'); // 1017
    const b = await person('even.dahl'); // 1018
    const c = await person('thea.halvorsen'); // 1019
    const d = await person('sindre.jacobsen'); // 1020
    await forward(a, { busyEnabled: true, busyNumber: '1018' });
    await forward(b, { busyEnabled: true, busyNumber: '1019' });
    await forward(c, { busyEnabled: true, busyNumber: '1020' });
    const first = await authenticatedInvite(caller, '1017');
    await answer(a, await a.peer.expectRequest('INVITE'), 486, 'Busy Here');
    await answer(b, await b.peer.expectRequest('INVITE'), 486, 'Busy Here');
    const toC = await c.peer.expectRequest('INVITE');
    expect(toC.header('Diversion')).toBe(`<sip:1018@${DOMAIN}>;reason=user-busy;counter=2`);
    await answer(c, toC, 486, 'Busy Here');
    await finalAnswer(caller, '1017', first, 486);
    await d.peer.expectSilence(300);

    // B forwards back to A: the call that came from A ends at B.
    await forward(b, { busyEnabled: true, busyNumber: '1017' });
    const second = await authenticatedInvite(caller, '1017');
    await answer(a, await a.peer.expectRequest('INVITE'), 486, 'Busy Here');
    await answer(b, await b.peer.expectRequest('INVITE'), 486, 'Busy Here');
    await finalAnswer(caller, '1017', second, 486);
    await a.peer.expectSilence(300);
  });

  it('an absence takes precedence: the absence forward rings, not the busy forward', async () => {
    const caller = await person('kare.maeland');
    const jorgen = await person('jorgen.karlsen'); // 1016
    const mathilde = await person('mathilde.moen'); // 1021
    const andre = await person('andre.gundersen'); // 1022
    await forward(jorgen, { busyEnabled: true, busyNumber: '1021' });
    await jorgen.api.command('absence.set', {
      reason: 'meeting',
      callHandling: 'forward',
      forwardNumber: '1022',
    });
    await authenticatedInvite(caller, '1016');
    await answer(andre, await andre.peer.expectRequest('INVITE'), 200, 'OK');
    await caller.peer.expectResponse(200, 'INVITE');
    await jorgen.peer.expectSilence(200);
    await mathilde.peer.expectSilence(100);
  });

  it('a busy forward to an answer group number rings the group', async () => {
    const caller = await person('eirik.holm');
    const gunnar = await person('gunnar.fjeld'); // 1035
    const jonas = await person('jonas.strand'); // 1036, IT-support (1099)
    await forward(gunnar, { busyEnabled: true, busyNumber: '1099' });
    await authenticatedInvite(caller, '1035');
    await answer(gunnar, await gunnar.peer.expectRequest('INVITE'), 486, 'Busy Here');
    await answer(jonas, await jonas.peer.expectRequest('INVITE'), 200, 'OK');
    await caller.peer.expectResponse(200, 'INVITE');
  });

  it('an external busy forward goes out through the trunk with the main number asserted', async () => {
    const carrier = await UdpPeer.open();
    try {
      const trunk = (await admin.command('trunk.save', {
        enabled: true,
        transport: 'udp',
        host: '127.0.0.1',
        port: carrier.port,
        username: 'nordlys',
        password: 'c4rrier-s3cret',
        fromDomain: 'carrier.invalid',
        allowedPrefixes: ['+47'],
        callsPerMinute: 10,
        inboundAddresses: [],
      })) as { ok: boolean };
      expect(trunk.ok).toBe(true);
      const caller = await person('marianne.haugen');
      const hakon = await person('hakon.saether'); // 1025
      await forward(hakon, { busyEnabled: true, busyNumber: '900 00 057' });
      const call = await authenticatedInvite(caller, '1025');
      await answer(hakon, await hakon.peer.expectRequest('INVITE'), 486, 'Busy Here');
      const out = await carrier.expectRequest('INVITE');
      expect(out.text.split('\r\n')[0]).toBe(
        `INVITE sip:+4790000057@127.0.0.1:${carrier.port} SIP/2.0`,
      );
      expect(uriOf(out.header('P-Asserted-Identity'))).toBe('sip:+4721000000@carrier.invalid');
      expect(out.header('Diversion')).toBe(`<sip:1025@${DOMAIN}>;reason=user-busy;counter=1`);
      carrier.send(
        respond(out, 486, 'Busy Here', { toTag: 'carrier1' }),
        core.core.sipPorts.udp ?? 0,
      );
      await carrier.expectRequest('ACK');
      await finalAnswer(caller, '1025', call, 486);
    } finally {
      carrier.close();
    }
  });
});

describe('transfers', () => {
  it('a blind transfer to someone busy comes back to the operator as a recall, not forwarded', async () => {
    const operator = await person('ida.pedersen'); // in Salg, on no call
    const tor = await person('tor.eriksen'); // 1006
    const martin = await person('martin.andersen'); // 1011
    await forward(tor, { busyEnabled: true, busyNumber: '1011' });
    const opened: Array<{ close(): void }> = [];
    try {
      await callerTalkingTo(core.wsUrl, operator, opened);
      expect(await operator.api.command('transfer.blind', { target: '1006' })).toMatchObject({
        ok: true,
      });
      operator.peer.send(respond(await operator.peer.expectRequest('BYE'), 200, 'OK'));
      const toTor = await tor.peer.expectRequest('INVITE');
      tor.peer.send(respond(toTor, 486, 'Busy Here', { toTag: rand() }));
      await tor.peer.expectRequest('ACK');
      const recall = await operator.peer.expectRequest('INVITE');
      expect(recall.header('X-Sentral-Recall')).toBe('busy');
      await martin.peer.expectSilence(300);
    } finally {
      for (const o of opened) o.close();
    }
  });
});

describe('forwarding.get / forwarding.set', () => {
  it('a user sets and reads their own, numbers normalised, and nobody else’s', async () => {
    const ida = await person('silje.larsen'); // agent
    expect(await ida.api.command('forwarding.get', {})).toMatchObject({
      ok: true,
      result: { forwarding: OFF },
    });
    expect(
      await ida.api.command('forwarding.set', {
        busyEnabled: true,
        busyNumber: '900 00 058',
        noAnswerEnabled: false,
        noAnswerNumber: '1001',
        ringTimeS: 30,
      }),
    ).toMatchObject({
      ok: true,
      result: {
        forwarding: {
          busyEnabled: true,
          busyNumber: '+4790000058',
          noAnswerEnabled: false,
          noAnswerNumber: '1001',
          ringTimeS: 30,
        },
      },
    });
    const kari = ids.get('kari.nordmann');
    expect(await ida.api.command('forwarding.get', { userId: kari })).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect(
      await ida.api.command('forwarding.set', {
        ...OFF,
        busyEnabled: true,
        busyNumber: '1012',
        userId: kari,
      }),
    ).toMatchObject({ error: { code: 'forbidden' } });
    expect(await admin.command('forwarding.get', { userId: kari })).toMatchObject({
      result: { forwarding: OFF },
    });
  });

  it('bad numbers and ring times are refused with their codes and change nothing', async () => {
    const ida = await person('silje.larsen');
    await forward(ida, { noAnswerEnabled: true, noAnswerNumber: '1001', ringTimeS: 25 });
    const before = await ida.api.command('forwarding.get', {});
    const refused: Array<[Record<string, unknown>, string]> = [
      [{ busyEnabled: true, busyNumber: 'abc' }, 'invalid_number'],
      [{ busyEnabled: true, busyNumber: null }, 'invalid_number'],
      [{ noAnswerEnabled: true, noAnswerNumber: '1' }, 'invalid_number'],
      [{ noAnswerEnabled: true, noAnswerNumber: '+1 555' }, 'invalid_number'],
      [{ busyEnabled: true, busyNumber: '1050' }, 'invalid_number'], // nobody's extension
      [{ ringTimeS: 4 }, 'ring_time_out_of_range'],
      [{ ringTimeS: 121 }, 'ring_time_out_of_range'],
      [{ ringTimeS: 20.5 }, 'bad_request'],
      [{ busyEnabled: 'yes' }, 'bad_request'],
    ];
    for (const [change, code] of refused) {
      expect(await ida.api.command('forwarding.set', { ...OFF, ...change })).toMatchObject({
        ok: false,
        error: { code },
      });
    }
    const after = await ida.api.command('forwarding.get', {});
    expect((after as { result: unknown }).result).toEqual((before as { result: unknown }).result);
  });

  it('an admin sets anyone’s in the company (audited), never another company’s', async () => {
    const martin = ids.get('martin.andersen') ?? '';
    expect(
      await admin.command('forwarding.set', {
        ...OFF,
        userId: martin,
        noAnswerEnabled: true,
        noAnswerNumber: '1001',
        ringTimeS: 15,
      }),
    ).toMatchObject({
      ok: true,
      result: { forwarding: { noAnswerNumber: '1001', ringTimeS: 15 } },
    });
    const audit = (await admin.command('audit.list', {})) as {
      result: { entries: Array<{ action: string; target: string | null }> };
    };
    expect(audit.result.entries[0]).toMatchObject({ action: 'forwarding.set', target: martin });

    // A second company's admin cannot see or touch Martin.
    const db = core.core.db;
    const [t] = await db.query<{ id: string }>(
      `INSERT INTO tenants (name, domain, main_number)
       VALUES ('Fjellvann AS', 'fjellvann.sentral.invalid', '+4722000000') RETURNING id`,
    );
    await db.query(
      `INSERT INTO users (tenant_id, username, first_name, last_name, role, password_hash)
       VALUES ($1, 'per.fjell', 'Per', 'Fjell', 'admin', $2)`,
      [t?.id, await hashPassword('other1234')],
    );
    await core.core.people.refreshTenants();
    await core.core.switchboard.load();
    const per = await RawApiClient.connect(core.wsUrl);
    try {
      await loginEnrolled(per, 'per.fjell', 'other1234');
      expect(await per.command('forwarding.get', { userId: martin })).toMatchObject({
        error: { code: 'not_found' },
      });
      expect(
        await per.command('forwarding.set', {
          ...OFF,
          userId: martin,
          busyEnabled: true,
          busyNumber: '2001',
        }),
      ).toMatchObject({ error: { code: 'not_found' } });
    } finally {
      per.close();
    }
    expect(await admin.command('forwarding.get', { userId: martin })).toMatchObject({
      result: { forwarding: { noAnswerEnabled: true, noAnswerNumber: '1001', ringTimeS: 15 } },
    });
  });
});
