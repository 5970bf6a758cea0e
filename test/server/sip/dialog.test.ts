import { describe, expect, it } from 'vitest';
import {
  Dialog,
  DialogState,
  dialogIdOfRequest,
  dialogIdOfResponse,
  dialogKey,
} from '../../../src/server/sip/dialog';
import { createResponse } from '../../../src/server/sip/helpers';
import type { SipRequest } from '../../../src/server/sip/message';
import { INVITE, parseRequest, parseResponse } from './messages';

/** The INVITE as it reaches the UAS after two record-routing proxies. */
function routedInvite(): SipRequest {
  const invite = parseRequest(INVITE);
  invite.add('Record-Route', '<sip:p1.example;lr>, <sip:p2.example;lr>');
  return invite;
}

/** The UAS's 2xx, which carries the Record-Route back and its own Contact. */
function answer(invite: SipRequest, status = 200) {
  return createResponse(invite, status, undefined, {
    toTag: 'uas-tag',
    headers: [['Contact', '<sip:200@192.0.2.50:5060;transport=tcp>']],
  });
}

describe('dialogs', () => {
  it('the UAS side keeps the Record-Route order and targets the caller’s Contact', () => {
    const invite = routedInvite();
    const dialog = Dialog.uas(invite, answer(invite));
    expect(dialog.state).toBe(DialogState.Confirmed);
    expect(dialog.role).toBe('uas');
    expect(dialog.id).toEqual({
      callId: '5pmle7c9n4pkq0d3cqq1',
      localTag: 'uas-tag',
      remoteTag: '0k3u6kpf2h',
    });
    expect(dialog.remoteSeq).toBe(1);
    expect(dialog.routeSet).toEqual(['<sip:p1.example;lr>', '<sip:p2.example;lr>']);
    expect(dialog.remoteTarget).toBe('sip:ub4h1m7r@9b7lq2bkh2sm.invalid;transport=ws;ob');
    expect(dialog.localTarget).toBe('sip:200@192.0.2.50:5060;transport=tcp');

    const bye = dialog.createRequest('BYE');
    expect(bye.uri).toBe(dialog.remoteTarget);
    expect(bye.getAll('Route')).toEqual(['<sip:p1.example;lr>', '<sip:p2.example;lr>']);
    expect(bye.from.uri.toString()).toBe('sip:200@sentral.example');
    expect(bye.from.tag).toBe('uas-tag');
    expect(bye.to.displayName).toBe('Anna Operator');
    expect(bye.to.tag).toBe('0k3u6kpf2h');
    expect(bye.callId).toBe('5pmle7c9n4pkq0d3cqq1');
    expect(bye.cseq).toEqual({ seq: 1, method: 'BYE' });
    expect(bye.maxForwards).toBe(70);
    expect(bye.has('Contact')).toBe(false);
    expect(bye.has('Via')).toBe(false);
  });

  it('the UAC side reverses the Record-Route and recomputes it from the 2xx', () => {
    const invite = parseRequest(INVITE);
    const ringing = parseResponse(
      [
        'SIP/2.0 180 Ringing',
        `Via: ${invite.get('Via') ?? ''}`,
        'Record-Route: <sip:edge.example;lr>, <sip:core.example;lr>',
        `From: ${invite.get('From') ?? ''}`,
        'To: <sip:200@sentral.example>;tag=uas-tag',
        `Call-ID: ${invite.callId}`,
        'CSeq: 1 INVITE',
        'Contact: <sip:200@192.0.2.50:5060;transport=tcp>',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    const dialog = Dialog.uac(invite, ringing);
    expect(dialog.state).toBe(DialogState.Early);
    expect(dialog.routeSet).toEqual(['<sip:core.example;lr>', '<sip:edge.example;lr>']);
    expect(dialog.remoteTarget).toBe('sip:200@192.0.2.50:5060;transport=tcp');
    expect(dialog.remoteSeq).toBeUndefined();
    expect(dialog.key).toBe(dialogKey(dialogIdOfResponse(ringing)));

    const ok = ringing.clone();
    ok.status = 200;
    ok.reason = 'OK';
    ok.set('Record-Route', '<sip:core.example;lr>');
    ok.set('Contact', '<sip:200@192.0.2.51:5060;transport=tcp>');
    dialog.confirm(ok);
    expect(dialog.state).toBe(DialogState.Confirmed);
    expect(dialog.routeSet).toEqual(['<sip:core.example;lr>']);
    expect(dialog.remoteTarget).toBe('sip:200@192.0.2.51:5060;transport=tcp');

    const ack = dialog.createAck(1);
    expect(ack.cseq).toEqual({ seq: 1, method: 'ACK' });
    expect(ack.getAll('Route')).toEqual(['<sip:core.example;lr>']);
    const info = dialog.createRequest('INFO', {
      body: 'Signal=5\r\n',
      contentType: 'application/dtmf-relay',
    });
    expect(info.cseq).toEqual({ seq: 2, method: 'INFO' });
    expect(info.body).toBe('Signal=5\r\n');
    expect(info.contentType).toBe('application/dtmf-relay');
    const reinvite = dialog.createRequest('INVITE', { headers: [['Max-Forwards', '10']] });
    expect(reinvite.cseq.seq).toBe(3);
    expect(reinvite.contacts[0]?.uri.toString()).toBe(
      'sip:ub4h1m7r@9b7lq2bkh2sm.invalid;transport=ws;ob',
    );
    expect(reinvite.getAll('Max-Forwards')).toEqual(['10']);
    expect(dialog.createRequest('CANCEL').cseq.seq).toBe(3);
  });

  it('a strict router in the route set takes the Request-URI; the remote target becomes the last Route', () => {
    const invite = parseRequest(INVITE);
    invite.add('Record-Route', '<sip:strict.example;maddr=10.0.0.1>, <sip:loose.example;lr>');
    const dialog = Dialog.uas(invite, answer(invite));
    const bye = dialog.createRequest('BYE');
    expect(bye.uri).toBe('sip:strict.example;maddr=10.0.0.1');
    expect(bye.getAll('Route')).toEqual([
      '<sip:loose.example;lr>',
      '<sip:ub4h1m7r@9b7lq2bkh2sm.invalid;transport=ws;ob>',
    ]);
  });

  it('requests from the peer find their dialog, are refused when out of order, and refresh the target', () => {
    const invite = routedInvite();
    const ok = answer(invite);
    const uas = Dialog.uas(invite, ok);
    const uac = Dialog.uac(invite, ok);
    expect(uac.routeSet).toEqual(['<sip:p2.example;lr>', '<sip:p1.example;lr>']);

    const reinvite = uac.createRequest('INVITE');
    reinvite.set('Contact', '<sip:ub4h1m7r@new.invalid;transport=ws>');
    expect(dialogKey(dialogIdOfRequest(reinvite))).toBe(uas.key);
    expect(uas.receiveRequest(reinvite)).toBe(true);
    expect(uas.remoteSeq).toBe(2);
    expect(uas.remoteTarget).toBe('sip:ub4h1m7r@new.invalid;transport=ws');

    const info = uac.createRequest('INFO');
    info.set('Contact', '<sip:ignored@else.invalid>');
    expect(uas.receiveRequest(info)).toBe(true);
    expect(uas.remoteTarget).toBe('sip:ub4h1m7r@new.invalid;transport=ws');

    const stale = reinvite.clone();
    stale.set('CSeq', '1 INVITE');
    expect(uas.receiveRequest(stale)).toBe(false);
    expect(uas.remoteSeq).toBe(3);
    expect(uas.receiveRequest(uac.createAck(2))).toBe(true);
  });

  it('Early → Confirmed → Terminated, and never back', () => {
    const invite = parseRequest(INVITE);
    const dialog = Dialog.uas(invite, answer(invite, 183));
    const seen: DialogState[] = [];
    dialog.onStateChange = (s) => seen.push(s);
    expect(dialog.state).toBe(DialogState.Early);
    dialog.confirm();
    dialog.confirm();
    dialog.terminate();
    dialog.terminate();
    expect(seen).toEqual([DialogState.Confirmed, DialogState.Terminated]);
    expect(() => dialog.confirm()).toThrow('Dialog: illegal transition Terminated -> Confirmed');
    expect(() => dialog.createRequest('BYE')).toThrow(/terminated/);
  });

  it('Early → Terminated when the call fails', () => {
    const invite = parseRequest(INVITE);
    const dialog = Dialog.uas(invite, answer(invite, 180));
    dialog.terminate();
    expect(dialog.state).toBe(DialogState.Terminated);
  });

  it('no dialog from a response without To tag or from a failure', () => {
    const invite = parseRequest(INVITE);
    expect(() => Dialog.uas(invite, createResponse(invite, 100))).toThrow(/To tag/);
    expect(() => Dialog.uac(invite, answer(invite, 486))).toThrow(/does not create a dialog/);
  });
});
