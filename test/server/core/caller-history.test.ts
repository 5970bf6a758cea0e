/**
 * The caller card's data: an outside caller's history with the company (from the call
 * records) and the operators' notes, by number in any written form; notes go with retention.
 */
import { describe, expect, it } from 'vitest';
import { inDialog, respond } from '../support/scenarios';
import { RawApiClient } from '../support/api-client';
import { RetentionRepository } from '../../../src/server/store/retention';
import { TRANSFER_SDP, answerCoreReinvite, scenarioCore } from '../support/transfer-scenarios';

const scenario = scenarioCore({ RECALL_AFTER_S: '5' });
const { user } = scenario;

describe('caller history and notes', () => {
  it('lists previous calls with queue, who answered, transfers and outcome, newest first', async () => {
    const ola = await user('ola.hansen');
    const rene = await user('rene.lie'); // 1008
    const caller = await scenario.callerTalkingTo(ola);
    await ola.api.command('transfer.blind', { target: '1008' });
    ola.peer.send(respond(await ola.peer.expectRequest('BYE'), 200, 'OK'));
    const inv = await rene.peer.expectRequest('INVITE');
    rene.peer.send(
      respond(inv, 200, 'OK', {
        toTag: 'r1',
        contact: `<sip:r@${rene.peer.host}>`,
        body: TRANSFER_SDP.RENE_OFFER,
      }),
    );
    await answerCoreReinvite(caller);
    await rene.peer.expectRequest('ACK');
    caller.peer.send(
      inDialog({
        method: 'BYE',
        host: caller.peer.host,
        requestUri: caller.coreUri,
        from: caller.from,
        to: caller.to,
        callId: caller.callId,
        cseq: 9,
      }),
    );
    await caller.peer.expectResponse(200, 'BYE');
    rene.peer.send(respond(await rene.peer.expectRequest('BYE'), 200, 'OK'));
    await scenario.core.core.switchboard.flush();

    const reply = (await ola.api.command('caller.history', { number: '97 00 00 01' })) as {
      ok: boolean;
      result: { number: string; calls: Array<Record<string, unknown>> };
    };
    expect(reply.ok).toBe(true);
    expect(reply.result.number).toBe('+4797000001');
    expect(reply.result.calls[0]).toMatchObject({
      queue: 'Salg',
      answeredBy: 'Ola Hansen',
      outcome: 'transferred',
      transferredTo: '1008',
      transferredBy: 'Ola Hansen',
    });
    expect(typeof reply.result.calls[0]?.startedAt).toBe('number');
    expect(await ola.api.command('caller.history', { number: 'not a number' })).toMatchObject({
      error: { code: 'bad_request' },
    });
  });

  it('adds, edits and deletes notes (plain text), tells the others, and refuses bad input', async () => {
    const kari = await user('kari.nordmann');
    const ase = await user('ase.strom');
    const added = (await kari.api.command('caller.note.add', {
      number: '+47 900 11 222',
      body: '<b>Ring tilbake</b> etter kl. 14',
    })) as { ok: boolean; result: { note: { id: number; body: string; author: string } } };
    expect(added).toMatchObject({
      ok: true,
      result: {
        note: {
          number: '+4790011222',
          body: '<b>Ring tilbake</b> etter kl. 14',
          author: 'Kari Nordmann',
        },
      },
    });
    await ase.api.waitForEvent(
      (e) => e.event === 'caller.notes_changed' && e.data.number === '+4790011222',
    );
    const id = added.result.note.id;
    expect(
      await ase.api.command('caller.note.update', {
        noteId: id,
        body: 'Ring tilbake etter kl. 15',
      }),
    ).toMatchObject({ ok: true, result: { note: { id, body: 'Ring tilbake etter kl. 15' } } });
    const history = (await ase.api.command('caller.history', { number: '004790011222' })) as {
      result: { notes: Array<{ body: string; author: string }> };
    };
    expect(history.result.notes).toEqual([
      expect.objectContaining({ body: 'Ring tilbake etter kl. 15', author: 'Kari Nordmann' }),
    ]);

    expect(
      await kari.api.command('caller.note.add', { number: '+4790011222', body: '   ' }),
    ).toMatchObject({ error: { code: 'bad_request' } });
    expect(
      await kari.api.command('caller.note.update', { noteId: 999_999, body: 'x' }),
    ).toMatchObject({
      error: { code: 'not_found' },
    });
    expect(await kari.api.command('caller.note.delete', { noteId: id })).toMatchObject({
      ok: true,
    });
    expect(await kari.api.command('caller.note.delete', { noteId: id })).toMatchObject({
      error: { code: 'not_found' },
    });

    const board = await RawApiClient.connect(scenario.core.wsUrl);
    scenario.opened.push(board);
    await board.command('auth.login', { username: 'tavle', password: 'demo1234' });
    expect(await board.command('caller.history', { number: '+4790011222' })).toMatchObject({
      error: { code: 'forbidden' },
    });
  });

  it('deletes notes after the tenant retention (by last edit) and logs it in the run', async () => {
    const kari = await user('kari.nordmann');
    const db = scenario.core.core.db;
    for (const body of ['gammel', 'ny']) {
      await kari.api.command('caller.note.add', { number: '+4790022333', body });
    }
    await db.query(
      `UPDATE caller_notes SET updated_at = now() - interval '400 days' WHERE body = 'gammel'`,
    );
    const runs = await new RetentionRepository(db).run();
    expect(runs[0]?.callerNotesDeleted).toBe(1);
    const left = await db.query<{ body: string }>(
      `SELECT body FROM caller_notes WHERE number = '+4790022333'`,
    );
    expect(left).toEqual([{ body: 'ny' }]);
  });
});
