import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../src/server/store/passwords';
import { QueueRepository } from '../../../src/server/store/queues';
import { RawApiClient } from '../support/api-client';
import { SipPeer, rand } from '../support/sip-peer';
import { outsideInvite } from '../support/scenarios';
import { startTestCore, type TestCore } from '../support/test-core';

let core: TestCore;
const opened: Array<{ close(): void }> = [];

/** A second company on the same core: its own domain, user and queue. */
async function addOtherTenant(): Promise<{ queueId: string }> {
  const db = core.core.db;
  const [t] = await db.query<{ id: string }>(
    `INSERT INTO tenants (name, domain, main_number) VALUES ('Fjellvann AS', 'fjellvann.sentral.invalid', '+4722000000') RETURNING id`,
  );
  const tenantId = t?.id ?? '';
  const hash = await hashPassword('other1234');
  const [u] = await db.query<{ id: string }>(
    `INSERT INTO users (tenant_id, username, first_name, last_name, extension, role, password_hash)
     VALUES ($1, 'per.fjell', 'Per', 'Fjell', '2001', 'operator', $2) RETURNING id`,
    [tenantId, hash],
  );
  const queue = await new QueueRepository(db).create(tenantId, {
    name: 'Resepsjon',
    number: '+4722000000',
    isMain: true,
    members: [u?.id ?? ''],
  });
  await core.core.people.refreshTenants();
  await core.core.switchboard.load();
  return { queueId: queue.id };
}

beforeAll(async () => {
  core = await startTestCore();
});
afterAll(async () => {
  for (const o of opened) o.close();
  await core?.close();
});

describe('tenant isolation', () => {
  it("never shows or lets anyone touch another company's queues, callers or calls", async () => {
    const other = await addOtherTenant();
    const per = await RawApiClient.connect(core.wsUrl);
    const kari = await RawApiClient.connect(core.wsUrl);
    opened.push(per, kari);
    expect(
      await per.command('auth.login', { username: 'per.fjell', password: 'other1234' }),
    ).toMatchObject({ ok: true });
    await kari.command('auth.login', { username: 'kari.nordmann', password: 'demo1234' });

    // A caller waits in Nordlys' main queue.
    const peer = await SipPeer.connect(core.wsUrl);
    opened.push(peer);
    peer.send(
      outsideInvite({
        peer,
        to: '+4721000000',
        fromNumber: '+4755511111',
        callId: rand(),
        fromTag: rand(),
      }),
    );
    await peer.expectResponse(182, 'INVITE');
    const joined = await kari.waitForEvent(
      (e) => e.event === 'queue.caller_joined' && e.data.number === '+4755511111',
    );

    // Per (Fjellvann) sees only his own queue and none of Nordlys' callers or events.
    const snap = (await per.command('switchboard.snapshot')) as {
      result: { queues: Array<{ id: string; name: string }>; callers: unknown[] };
    };
    expect(snap.result.queues.map((q) => q.name)).toEqual(['Resepsjon']);
    expect(snap.result.callers).toEqual([]);
    expect(per.events().filter((e) => e.event.startsWith('queue.caller'))).toEqual([]);

    // …and cannot pick, hang up or log in to Nordlys' things.
    const callId = String(joined.data.callId);
    expect(await per.command('queue.pick', { callId })).toMatchObject({
      error: { code: 'not_found' },
    });
    expect(await per.command('call.hangup', { callId })).toMatchObject({
      error: { code: 'not_found' },
    });
    const nordlysQueue = String(joined.data.queueId);
    expect(await per.command('agent.login', { queueId: nordlysQueue })).toMatchObject({
      error: { code: 'not_found' },
    });
    // Nordlys' operator cannot touch Fjellvann's queue either.
    expect(await kari.command('agent.login', { queueId: other.queueId })).toMatchObject({
      error: { code: 'not_found' },
    });

    // Nothing changed: the caller still waits, first in line.
    const after = (await kari.command('switchboard.snapshot')) as {
      result: { callers: Array<{ callId: string; position: number; state: string }> };
    };
    expect(after.result.callers.find((c) => c.callId === callId)).toMatchObject({
      state: 'waiting',
    });
  });

  it("routes an outside call to each company's own main number", async () => {
    const per = await RawApiClient.connect(core.wsUrl);
    opened.push(per);
    await per.command('auth.login', { username: 'per.fjell', password: 'other1234' });
    const peer = await SipPeer.connect(core.wsUrl);
    opened.push(peer);
    const msg = outsideInvite({
      peer,
      to: '+4722000000',
      fromNumber: '+4755522222',
      callId: rand(),
      fromTag: rand(),
    }).replace(/nordlys\.sentral\.invalid/g, 'fjellvann.sentral.invalid');
    peer.send(msg);
    await peer.expectResponse(182, 'INVITE');
    const joined = await per.waitForEvent(
      (e) => e.event === 'queue.caller_joined' && e.data.number === '+4755522222',
    );
    expect(joined.data.queueId).toBeTruthy();
  });
});
