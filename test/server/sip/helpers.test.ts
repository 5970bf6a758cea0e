import { describe, expect, it } from 'vitest';
import {
  createCancel,
  createNon2xxAck,
  createResponse,
  newBranch,
  newCallId,
  newTag,
} from '../../../src/server/sip/helpers';
import { parseMessage } from '../../../src/server/sip/parser';
import { INVITE, parseRequest, parseResponse } from './messages';

describe('building responses and requests', () => {
  it('a response copies every Via, From, Call-ID and CSeq and tags the To', () => {
    const req = parseRequest(INVITE);
    req.prepend('Via', 'SIP/2.0/TCP proxy.example;branch=z9hG4bKp');
    const res = createResponse(req, 486);
    expect(res.reason).toBe('Busy Here');
    expect(res.getAll('Via')).toEqual(req.getAll('Via'));
    expect(res.get('From')).toBe(req.get('From'));
    expect(res.callId).toBe(req.callId);
    expect(res.cseq).toEqual(req.cseq);
    expect(res.to.uri.toString()).toBe('sip:200@sentral.example');
    expect(res.to.tag).toMatch(/^[0-9a-f]{12}$/);
    const reparsed = parseResponse(res.toString());
    expect(reparsed.status).toBe(486);
  });

  it('100 Trying gets no To tag; a given toTag is used; an existing tag is kept', () => {
    const req = parseRequest(INVITE);
    expect(createResponse(req, 100).to.tag).toBeUndefined();
    expect(createResponse(req, 180, undefined, { toTag: 'mine' }).to.tag).toBe('mine');
    req.set('To', '<sip:200@sentral.example>;tag=theirs');
    expect(createResponse(req, 200, undefined, { toTag: 'mine' }).to.tag).toBe('theirs');
  });

  it('a dialog-creating response copies Record-Route; extra headers and a body are added', () => {
    const req = parseRequest(INVITE);
    req.add('Record-Route', '<sip:edge.example;lr>, <sip:core.example;lr>');
    const ok = createResponse(req, 200, 'OK', {
      toTag: 't',
      headers: [['Contact', '<sip:core@192.0.2.1;transport=ws>']],
      body: 'v=0\r\n',
      contentType: 'application/sdp',
    });
    expect(ok.getAll('Record-Route')).toEqual(['<sip:edge.example;lr>', '<sip:core.example;lr>']);
    expect(ok.contacts[0]?.uri.host).toBe('192.0.2.1');
    expect(ok.contentType).toBe('application/sdp');
    expect(ok.toString()).toContain('Content-Length: 5\r\n\r\nv=0\r\n');
    expect(createResponse(req, 486).has('Record-Route')).toBe(false);
  });

  it('CANCEL keeps the INVITE’s top Via, Request-URI, Call-ID, From, To, CSeq number and Route', () => {
    const invite = parseRequest(INVITE);
    invite.add('Route', '<sip:edge.example;lr>');
    invite.prepend('Via', 'SIP/2.0/TCP core.example;branch=z9hG4bKmine');
    const cancel = createCancel(invite);
    const parsed = parseRequest(cancel.toString());
    expect(parsed.method).toBe('CANCEL');
    expect(parsed.uri).toBe(invite.uri);
    expect(parsed.getAll('Via')).toEqual(['SIP/2.0/TCP core.example;branch=z9hG4bKmine']);
    expect(parsed.cseq).toEqual({ seq: 1, method: 'CANCEL' });
    expect(parsed.get('From')).toBe(invite.get('From'));
    expect(parsed.get('To')).toBe(invite.get('To'));
    expect(parsed.getAll('Route')).toEqual(['<sip:edge.example;lr>']);
    expect(parsed.maxForwards).toBe(70);
  });

  it('the ACK for a failure takes the To tag from the response', () => {
    const invite = parseRequest(INVITE);
    const busy = createResponse(invite, 486, undefined, { toTag: 'busy' });
    const ack = createNon2xxAck(invite, busy);
    expect(ack.method).toBe('ACK');
    expect(ack.to.tag).toBe('busy');
    expect(ack.cseq).toEqual({ seq: 1, method: 'ACK' });
    expect(ack.topVia?.branch).toBe(invite.topVia?.branch);
    expect(parseMessage(ack.toString()).type).toBe('request');
  });

  it('identifiers are fresh, branches carry the magic cookie', () => {
    expect(newBranch()).toMatch(/^z9hG4bK[0-9a-f]{16}$/);
    expect(newBranch()).not.toBe(newBranch());
    expect(newTag()).not.toBe(newTag());
    expect(newCallId()).not.toBe(newCallId());
  });
});
