import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rand } from '../support/sip-peer';
import {
  SDP,
  authenticatedInvite,
  loginAndRegister,
  respond,
  type Registered,
} from '../support/scenarios';
import { startTestCore, type TestCore } from '../support/test-core';

let core: TestCore;
const opened: Array<{ close(): void }> = [];

beforeAll(async () => {
  core = await startTestCore();
});
afterAll(async () => {
  for (const o of opened) o.close();
  await core?.close();
});

async function user(username: string): Promise<Registered> {
  const r = await loginAndRegister(core.wsUrl, username);
  opened.push(r.peer, r.api);
  return r;
}

async function idOf(r: Registered, username: string): Promise<string> {
  const list = (await r.api.command('directory.list')) as {
    result: { people: Array<{ id: string; username: string }> };
  };
  return list.result.people.find((p) => p.username === username)?.id ?? '';
}

/** Waits for a presence event that arrives after this call (older ones do not count). */
const presenceOf = (r: Registered, userId: string, state: string, timeoutMs = 5000) => {
  const mark = r.api.events().length;
  return r.api.waitForEvent(
    (e) =>
      r.api.events().indexOf(e) >= mark &&
      e.event === 'presence.changed' &&
      e.data.userId === userId &&
      e.data.state === state,
    timeoutMs,
  );
};

describe('presence', () => {
  it('follows registration and calls: free, ringing, busy, free again; offline after the phone goes', async () => {
    const tor = await user('tor.eriksen'); // 1006
    const hege = await user('hege.solberg'); // 1005
    const torId = await idOf(hege, 'tor.eriksen');
    const hegeId = await idOf(hege, 'hege.solberg');
    const list = (await hege.api.command('presence.list')) as {
      result: { people: Array<{ userId: string; state: string }> };
    };
    expect(list.result.people.find((p) => p.userId === torId)?.state).toBe('free');
    const jonasId = await idOf(hege, 'jonas.strand');
    expect(list.result.people.find((p) => p.userId === jonasId)?.state).toBe('offline');

    const ringing = presenceOf(hege, torId, 'ringing');
    await authenticatedInvite(hege, '1006');
    const inv = await tor.peer.expectRequest('INVITE');
    await ringing;
    const torBusy = presenceOf(hege, torId, 'busy');
    const hegeBusy = presenceOf(hege, hegeId, 'busy');
    tor.peer.send(
      respond(inv, 200, 'OK', { toTag: rand(), contact: `<sip:t@${tor.peer.host}>`, body: SDP }),
    );
    await torBusy;
    await hegeBusy;

    const torOffline = presenceOf(hege, torId, 'offline');
    const hegeFree = presenceOf(hege, hegeId, 'free');
    tor.peer.close();
    await torOffline;
    await hegeFree;
  });

  it('shows an absence until it ends by itself, on time', async () => {
    const gunnar = await user('gunnar.fjeld');
    const id = await idOf(gunnar, 'gunnar.fjeld');
    const until = Date.now() + 1500;
    const absentEvent = presenceOf(gunnar, id, 'absent');
    const backEvent = presenceOf(gunnar, id, 'free', 5000);
    const set = await gunnar.api.command('absence.set', {
      reason: 'lunch',
      until,
      message: 'Tilbake 13:00',
      callHandling: 'ring',
    });
    expect(set).toMatchObject({
      ok: true,
      result: { absence: { reason: 'lunch', until, message: 'Tilbake 13:00', source: 'self' } },
    });
    const absent = await absentEvent;
    expect(absent.data.absence).toMatchObject({ reason: 'lunch', callHandling: 'ring' });
    const back = await backEvent;
    expect(Date.now()).toBeGreaterThanOrEqual(until);
    expect(back.data.absence).toBeNull();
  });

  it('lets operators set absence for colleagues, not agents; bad input changes nothing', async () => {
    const kari = await user('kari.nordmann'); // operator
    const ida = await user('ida.pedersen'); // agent
    const frode = await idOf(kari, 'frode.naess');
    expect(await kari.api.command('absence.set', { userId: frode, reason: 'sick' })).toMatchObject({
      ok: true,
      result: { absence: { source: 'operator' } },
    });
    expect(await ida.api.command('absence.set', { userId: frode, reason: 'other' })).toMatchObject({
      error: { code: 'forbidden' },
    });
    expect(
      await kari.api.command('absence.set', { userId: frode, reason: 'holiday' }),
    ).toMatchObject({ error: { code: 'bad_request' } });
    expect(
      await kari.api.command('absence.set', {
        userId: frode,
        reason: 'travel',
        callHandling: 'forward',
      }),
    ).toMatchObject({ error: { code: 'bad_request' } });
    expect(
      await kari.api.command('absence.set', {
        userId: frode,
        reason: 'travel',
        until: Date.now() - 1000,
      }),
    ).toMatchObject({ error: { code: 'bad_request' } });
    const list = (await kari.api.command('presence.list')) as {
      result: { people: Array<{ userId: string; absence: { reason: string } | null }> };
    };
    expect(list.result.people.find((p) => p.userId === frode)?.absence?.reason).toBe('sick');
    expect(await kari.api.command('absence.clear', { userId: frode })).toMatchObject({
      ok: true,
      result: { cleared: true },
    });
  });

  it('sends a call for an absent colleague to the switchboard queue, marked with whom it was for', async () => {
    const caller = await user('eirik.holm'); // 1029
    const kristin = await user('kristin.myhre'); // 1028
    await kristin.api.command('absence.set', { reason: 'meeting', callHandling: 'switchboard' });
    await authenticatedInvite(caller, '1028');
    await caller.peer.expectResponse(182, 'INVITE');
    const joined = await caller.api.waitForEvent(
      (e) => e.event === 'queue.caller_joined' && e.data.number === '1029',
    );
    expect(joined.data.name).toBe('Eirik Holm');
    await kristin.peer.expectSilence(300); // her phone did not ring
  });

  it('searches the directory by folded name, any number format, with live presence', async () => {
    const kari = await user('kari.nordmann');
    const search = async (query: string) =>
      (
        (await kari.api.command('directory.search', { query })) as {
          result: {
            results: Array<{
              person: { displayName: string; extension: string };
              presence: { state: string } | null;
              matched: string;
            }>;
          };
        }
      ).result.results;
    expect((await search('odegard'))[0]?.person.displayName).toBe('Bjørn Ødegård');
    expect((await search('bjø øde'))[0]?.person.displayName).toBe('Bjørn Ødegård');
    expect((await search('1004'))[0]).toMatchObject({
      person: { extension: '1004' },
      matched: 'number',
    });
    expect((await search('+47 900 01 004'))[0]?.person.displayName).toBe('Bjørn Ødegård');
    const self = (await search('kari nordmann'))[0];
    expect(self?.presence?.state).toBe('free');
    expect(await search('<img src=x onerror=alert(1)>')).toEqual([]);
    expect(await kari.api.command('directory.search', { query: 'x'.repeat(300) })).toMatchObject({
      error: { code: 'bad_request' },
    });
  });
});
