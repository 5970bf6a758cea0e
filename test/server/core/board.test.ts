/**
 * The queue-board kiosk login: read-only, and it never receives who is calling — not in the
 * snapshot, not in events — while an operator of the same company sees everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawApiClient } from '../support/api-client';
import { SipPeer, rand } from '../support/sip-peer';
import { outsideInvite } from '../support/scenarios';
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

async function login(username: string, password = 'demo1234'): Promise<RawApiClient> {
  const api = await RawApiClient.connect(core.wsUrl);
  opened.push(api);
  expect(await api.command('auth.login', { username, password })).toMatchObject({ ok: true });
  return api;
}

describe('the queue board login (role board)', () => {
  it('sees queues and agents but no caller numbers or names, in the snapshot and in events', async () => {
    const board = await login('tavle');
    const kari = await login('kari.nordmann');
    const caller = await SipPeer.connect(core.wsUrl);
    opened.push(caller);
    caller.send(
      outsideInvite({
        peer: caller,
        to: '+4721000000',
        fromNumber: '+4798765432',
        fromName: 'Hemmelig Innringer',
        callId: rand(),
        fromTag: rand(),
      }),
    );
    await caller.expectResponse(182, 'INVITE');

    const joinedForKari = await kari.waitForEvent((e) => e.event === 'queue.caller_joined');
    expect(joinedForKari.data).toMatchObject({ number: '+4798765432', name: 'Hemmelig Innringer' });
    const joinedForBoard = await board.waitForEvent((e) => e.event === 'queue.caller_joined');
    expect(joinedForBoard.seq).toBe(joinedForKari.seq); // same stream, no gap
    expect(joinedForBoard.data).toMatchObject({ number: '', name: null });
    const state = await board.waitForEvent((e) => e.event === 'call.state');
    expect(state.data).toMatchObject({ number: '', name: null });

    const snap = (await board.command('switchboard.snapshot')) as {
      ok: boolean;
      result: { queues: unknown[]; callers: Array<{ number: string; name: string | null }> };
    };
    expect(snap.ok).toBe(true);
    expect(snap.result.queues.length).toBeGreaterThan(0);
    expect(snap.result.callers).toHaveLength(1);
    expect(snap.result.callers[0]).toMatchObject({ number: '', name: null });
    expect(JSON.stringify(board.events())).not.toMatch(/98765432|Hemmelig/);
  });

  it('is read-only: every command beyond looking is forbidden', async () => {
    const board = await login('tavle');
    for (const [type, params] of [
      ['queue.pick', { callId: 'x' }],
      ['presence.list', {}],
      ['stats.queues', { from: 0, to: 1 }],
      ['transfer.blind', { target: '1001' }],
      ['absence.set', { reason: 'lunch' }],
      ['people.export', {}],
    ] as const) {
      expect(await board.command(type, params)).toMatchObject({
        ok: false,
        error: { code: 'forbidden' },
      });
    }
    const dir = (await board.command('directory.list')) as {
      result: { people: Array<{ username: string }> };
    };
    expect(dir.result.people.length).toBeGreaterThan(30);
    expect(dir.result.people.some((p) => p.username === 'tavle')).toBe(false);
  });
});
