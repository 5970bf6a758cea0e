/**
 * RFC 4475 torture messages against a running core, over its SIP WebSocket, message by message:
 * the exact answer the RFC describes for each (test/fixtures/rfc4475, IETF Trust, simplified BSD
 * licence; see INDEX.md there). Each fixture goes out as one binary frame with its exact bytes.
 * Where the answer depends on authentication the test name says so; the authenticated REGISTERs
 * of §3.3.12–14 are also replayed with demo credentials to check what the registrar stores.
 */
import { readFileSync, readdirSync } from 'node:fs';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../../../src/server/sip/parser';
import { RawApiClient } from '../support/api-client';
import { digestAuthorization, parseLoosely, type ReceivedMessage } from '../support/sip-peer';
import { DOMAIN } from '../support/scenarios';
import { framingProblem } from '../sip/wire-checks';
import { startTestCore, type TestCore } from '../support/test-core';

const DIR = new URL('../../fixtures/rfc4475/', import.meta.url);
const bytes = (name: string): Buffer => readFileSync(new URL(`${name}.dat`, DIR));

function parses(data: Buffer): boolean {
  try {
    parseMessage(data.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

let core: TestCore;
beforeAll(async () => {
  core = await startTestCore();
});
afterAll(async () => {
  await core?.close();
});

/** A raw SIP WebSocket client that sends exact bytes (binary frames) and reads every answer. */
class RawSip {
  readonly inbox: ReceivedMessage[] = [];
  closed = false;
  readonly #waiters: Array<() => void> = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      this.inbox.push(parseLoosely(data.toString('utf8')));
      for (const w of this.#waiters.splice(0)) w();
    });
    ws.on('close', () => {
      this.closed = true;
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static async open(): Promise<RawSip> {
    const ws = new WebSocket(`${core.wsUrl}/sip`, 'sip');
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new RawSip(ws);
  }

  send(data: Buffer | string): void {
    this.ws.send(data);
  }

  async next(timeoutMs = 5000): Promise<ReceivedMessage> {
    const deadline = Date.now() + timeoutMs;
    while (this.inbox.length === 0) {
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) throw new Error('no answer');
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, left).unref();
      });
    }
    return this.inbox.shift() as ReceivedMessage;
  }

  /** Nothing (more) arrives for `ms`, and the connection stays open. */
  async silence(ms = 300): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    expect(this.inbox.map((m) => m.text.split('\r\n')[0])).toEqual([]);
    expect(this.closed).toBe(false);
  }

  close(): void {
    this.ws.close();
  }
}

async function healthz(): Promise<{ ok: boolean; calls: number }> {
  return (await fetch(`${core.url}/healthz`)).json() as Promise<never>;
}

/** What the RFC says an element does with one message, as this core does it. */
interface Expected {
  /** Status and reason phrase; `dropped` for responses, which get no answer at all. */
  answer: readonly [number, string] | 'dropped';
  /** Further checks on the answer. */
  check?: (res: ReceivedMessage) => void;
}

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, MESSAGE, NOTIFY, REFER, REGISTER';
const challenged407 = (res: ReceivedMessage) =>
  expect(res.header('Proxy-Authenticate')).toMatch(/^Digest realm="[^"]+", .*qop="auth"/);
const challenged401 = (res: ReceivedMessage) =>
  expect(res.header('WWW-Authenticate')).toMatch(/^Digest realm="example.com", .*qop="auth"/);
const options200 = (res: ReceivedMessage) => expect(res.header('Allow')).toBe(ALLOW);
const allow501 = (res: ReceivedMessage) => expect(res.header('Allow')).toBe(ALLOW);

/** Each of the 48 messages by its RFC tag, grouped by RFC section; titles say the RFC's reason. */
const SECTIONS: ReadonlyArray<
  readonly [string, ReadonlyArray<readonly [string, string, Expected]>]
> = [
  [
    '§3.1.1 valid messages: parsed and answered sensibly',
    [
      [
        'wsinv',
        'an INVITE with a To tag matching no dialog is 481 (RFC 3261 §12.2.2)',
        {
          answer: [481, 'Call/Transaction Does Not Exist'],
          check: (res) => {
            expect(res.headers('Via')).toHaveLength(3);
            expect(res.header('To')).toMatch(/;\s*tag\s*=\s*1918181833n$/);
          },
        },
      ],
      [
        'intmeth',
        'an unknown method is 501 with Allow (RFC 3261 §8.2.1)',
        { answer: [501, 'Not Implemented'], check: allow501 },
      ],
      [
        'esc01',
        'unauthenticated: the INVITE parses and is challenged with 407',
        { answer: [407, 'Proxy Authentication Required'], check: challenged407 },
      ],
      [
        'escnull',
        'unauthenticated: the REGISTER parses and is challenged with 401',
        { answer: [401, 'Unauthorized'], check: challenged401 },
      ],
      [
        'esc02',
        'RE%47IST%45R is not REGISTER: an endpoint rejects it with 501',
        { answer: [501, 'Not Implemented'], check: allow501 },
      ],
      ['lwsdisp', 'OPTIONS is answered 200', { answer: [200, 'OK'], check: options200 }],
      [
        'longreq',
        'unauthenticated: the long INVITE is challenged with 407, all 34 Vias copied',
        {
          answer: [407, 'Proxy Authentication Required'],
          check: (res) => {
            challenged407(res);
            expect(res.headers('Via').join(',').split(',')).toHaveLength(34);
          },
        },
      ],
      [
        'dblreq',
        'unauthenticated: only the first REGISTER counts, challenged once with 401',
        {
          answer: [401, 'Unauthorized'],
          check: (res) =>
            expect(res.header('Call-ID')).toBe('dblreq.0ha0isndaksdj99sdfafnl3lk233412'),
        },
      ],
      ['semiuri', 'OPTIONS is answered 200', { answer: [200, 'OK'], check: options200 }],
      [
        'transports',
        'OPTIONS with odd Via transports is answered 200 with every Via copied',
        {
          answer: [200, 'OK'],
          check: (res) => expect(res.headers('Via')).toHaveLength(5),
        },
      ],
      [
        'mpart01',
        'the binary multipart MESSAGE parses; out of a dialog the core refuses it with 405',
        { answer: [405, 'Method Not Allowed'] },
      ],
      ['unreason', 'a response (no transaction) is dropped', { answer: 'dropped' }],
      ['noreason', 'a response (no transaction) is dropped', { answer: 'dropped' }],
    ],
  ],
  [
    '§3.1.2 invalid messages: 400 (505 for the version), responses dropped',
    [
      ['badinv01', 'bad Via', { answer: [400, 'Bad Via'] }],
      [
        'clerr',
        'Content-Length larger than the body',
        { answer: [400, 'Body shorter than Content-Length'] },
      ],
      ['scalar02', 'CSeq out of range', { answer: [400, 'Bad CSeq'] }],
      ['scalarlg', 'a response with overlarge values is dropped', { answer: 'dropped' }],
      ['quotbal', 'unterminated quoted string in To', { answer: [400, 'Bad To'] }],
      ['ltgtruri', '<> around the Request-URI', { answer: [400, 'Bad Request-URI'] }],
      ['lwsruri', 'whitespace inside the Request-URI', { answer: [400, 'Malformed Request-Line'] }],
      [
        'lwsstart',
        'several spaces in the Request-Line',
        { answer: [400, 'Malformed Request-Line'] },
      ],
      ['trws', 'trailing whitespace after SIP/2.0', { answer: [400, 'Malformed Request-Line'] }],
      ['escruri', 'escaped headers in the Request-URI', { answer: [400, 'Bad Request-URI'] }],
      [
        'baddate',
        'unauthenticated: the non-GMT Date is ignored (liberal) and the INVITE challenged with 407',
        { answer: [407, 'Proxy Authentication Required'], check: challenged407 },
      ],
      ['regbadct', 'a Contact URI with ? outside <>', { answer: [400, 'Bad Contact'] }],
      ['badaspec', 'spaces inside the addr-spec of To', { answer: [400, 'Bad To'] }],
      ['baddn', 'non-token characters in an unquoted display name', { answer: [400, 'Bad From'] }],
      ['badvers', 'SIP/7.0 is 505', { answer: [505, 'Version Not Supported'] }],
      [
        'mismatch01',
        'CSeq method differs from the Request-Line',
        { answer: [400, 'CSeq method does not match'] },
      ],
      [
        'mismatch02',
        'unknown method with a CSeq mismatch (the RFC accepts 400 as well as 501)',
        { answer: [400, 'CSeq method does not match'] },
      ],
      ['bigcode', 'a response with a huge status code is dropped', { answer: 'dropped' }],
    ],
  ],
  [
    '§3.2 transaction layer',
    [
      [
        'badbranch',
        'a branch of just the magic cookie falls back to RFC 2543 matching: OPTIONS 200',
        {
          answer: [200, 'OK'],
          check: (res) => expect(res.header('Via')).toBe('SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK'),
        },
      ],
    ],
  ],
  [
    '§3.3 application layer: the answer the RFC names',
    [
      ['insuf', 'From, To and Call-ID missing', { answer: [400, 'Missing From'] }],
      ['unkscm', 'unknown Request-URI scheme', { answer: [416, 'Unsupported URI Scheme'] }],
      [
        'novelsc',
        'soap.beep is never meaningful here, so it is treated as unknown',
        { answer: [416, 'Unsupported URI Scheme'] },
      ],
      [
        'unksm2',
        'a registrar refuses a To that is not a SIP or SIPS address of record',
        { answer: [400, 'To Is Not a SIP Address of Record'] },
      ],
      [
        'bext01',
        'unknown Require tags are 420 with Unsupported listing them',
        {
          answer: [420, 'Bad Extension'],
          check: (res) =>
            expect(res.headers('Unsupported')).toEqual([
              'nothingSupportsThis, nothingSupportsThisEither',
            ]),
        },
      ],
      [
        'invut',
        'an INVITE body of unknown type is 415 with Accept',
        {
          answer: [415, 'Unsupported Media Type'],
          check: (res) => expect(res.header('Accept')).toBe('application/sdp'),
        },
      ],
      [
        'regaut01',
        'unauthenticated: an unknown Authorization scheme gets a new Digest challenge (401)',
        { answer: [401, 'Unauthorized'], check: challenged401 },
      ],
      ['multi01', 'two different CSeq values', { answer: [400, 'Multiple CSeq values'] }],
      [
        'mcl01',
        'two different Content-Length values',
        { answer: [400, 'Multiple Content-Length values'] },
      ],
      ['bcast', 'a 200 with a broadcast Via is dropped, never forwarded', { answer: 'dropped' }],
      ['zeromf', 'Max-Forwards 0 for a user is 483', { answer: [483, 'Too Many Hops'] }],
      [
        'cparam01',
        'unauthenticated: the REGISTER is challenged with 401 (see the authenticated replay below)',
        { answer: [401, 'Unauthorized'], check: challenged401 },
      ],
      [
        'cparam02',
        'unauthenticated: the REGISTER is challenged with 401 (see the authenticated replay below)',
        { answer: [401, 'Unauthorized'], check: challenged401 },
      ],
      [
        'regescrt',
        'unauthenticated: the REGISTER is challenged with 401 (see the authenticated replay below)',
        { answer: [401, 'Unauthorized'], check: challenged401 },
      ],
      [
        'sdp01',
        'an Accept without SDP is 406 with Warning 399',
        {
          answer: [406, 'Not Acceptable'],
          check: (res) => {
            expect(res.header('Warning')).toBe(
              '399 sentral "Only application/sdp bodies can be sent in answers"',
            );
            expect(res.header('Accept')).toBe('application/sdp');
          },
        },
      ],
    ],
  ],
  [
    '§3.4 backward compatibility',
    [
      [
        'inv2543',
        'unauthenticated: the RFC 2543 INVITE is accepted as one and challenged with 407',
        {
          answer: [407, 'Proxy Authentication Required'],
          check: (res) => {
            challenged407(res);
            expect(res.header('Via')).toBe('SIP/2.0/UDP iftgw.example.com');
          },
        },
      ],
    ],
  ],
];

describe('RFC 4475 at the core', () => {
  it('covers all 48 messages of the fixture folder, each once', () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith('.dat'))
      .map((f) => f.slice(0, -4))
      .sort();
    const tested = SECTIONS.flatMap(([, cases]) => cases.map(([name]) => name)).sort();
    expect(files).toHaveLength(48);
    expect(tested).toEqual(files);
    expect(readFileSync(new URL('INDEX.md', DIR), 'utf8')).toContain('IETF Trust');
  });

  for (const [section, cases] of SECTIONS) {
    describe(section, () => {
      for (const [name, title, expected] of cases) {
        const label =
          expected.answer === 'dropped'
            ? `${name}: ${title}`
            : `${name}: ${expected.answer[0]} — ${title}`;
        it(label, async () => {
          const sip = await RawSip.open();
          sip.send(bytes(name));
          if (expected.answer === 'dropped') {
            await sip.silence(300);
          } else {
            const res = await sip.next();
            expect([res.status, res.text.split('\r\n')[0]]).toEqual([
              expected.answer[0],
              `SIP/2.0 ${expected.answer[0]} ${expected.answer[1]}`,
            ]);
            // Well-framed always; and when the request itself parsed, the answer parses back too
            // (a refusal copies the request's malformed headers verbatim, §8.2.6.2).
            expect(framingProblem(res.text)).toBeUndefined();
            if (parses(bytes(name))) expect(parseMessage(res.text).type).toBe('response');
            expected.check?.(res);
            // Exactly one answer, and the connection stays usable.
            await sip.silence(150);
          }
          sip.close();
        });
      }
    });
  }

  it('none of them left a call behind', async () => {
    expect(await healthz()).toMatchObject({ ok: true, calls: 0 });
  });
});

/** A demo user's SIP password, from an API login. */
async function sipPassword(username: string): Promise<{ password: string; api: RawApiClient }> {
  const api = await RawApiClient.connect(core.wsUrl);
  const reply = (await api.command('auth.login', { username, password: 'demo1234' })) as {
    result: { sip: { password: string } };
  };
  return { password: reply.result.sip.password, api };
}

/**
 * Replays an RFC REGISTER as a demo user of the demo domain (its AOR rewritten, nothing else):
 * 401, then the same request with a digest answer and the next CSeq. Returns the final answer.
 */
async function registerAs(name: string, aor: string, username: string): Promise<ReceivedMessage> {
  const { password, api } = await sipPassword(username);
  const text = bytes(name)
    .toString('utf8')
    .replaceAll(aor, `${username}@${DOMAIN}`)
    .replace('REGISTER sip:example.com SIP/2.0', `REGISTER sip:${DOMAIN} SIP/2.0`);
  const sip = await RawSip.open();
  sip.send(text);
  const challenge = await sip.next();
  expect(challenge.status).toBe(401);
  const authorization = digestAuthorization({
    challenge: challenge.header('WWW-Authenticate') ?? '',
    username,
    password,
    method: 'REGISTER',
    uri: `sip:${DOMAIN}`,
  });
  const seq = /CSeq: (\d+) REGISTER/.exec(text)?.[1] ?? '1';
  const again = text
    .replace(`CSeq: ${seq} REGISTER`, `CSeq: ${Number(seq) + 1} REGISTER`)
    .replace(/\r\n(l|L): ?0\r\n/, `\r\nAuthorization: ${authorization}\r\n$1: 0\r\n`);
  sip.send(again);
  const res = await sip.next();
  sip.close();
  api.close();
  return res;
}

describe('RFC 4475 §3.3.12–14 REGISTERs, authenticated as a demo user', () => {
  it('cparam01: the unknown parameter outside <> stays a Contact parameter, not a URI parameter', async () => {
    const res = await registerAs('cparam01', 'watson@example.com', 'ola.hansen');
    expect(res.status).toBe(200);
    expect(res.header('Contact')).toMatch(
      /^<sip:\+19725552222@gw1\.example\.net>;unknownparam;expires=\d+$/,
    );
  });

  it('cparam02: the unknown parameter inside <> is stored as part of the URI', async () => {
    const res = await registerAs('cparam02', 'watson@example.com', 'lars.johansen');
    expect(res.status).toBe(200);
    expect(res.header('Contact')).toMatch(
      /^<sip:\+19725552222@gw1\.example\.net;unknownparam>;expires=\d+$/,
    );
  });

  it('regescrt: the escaped Route header is stored in the Contact URI, not turned into a header', async () => {
    const res = await registerAs('regescrt', 'user@example.com', 'martin.andersen');
    expect(res.status).toBe(200);
    expect(res.header('Contact')).toMatch(
      /^<sip:martin\.andersen@nordlys\.sentral\.invalid\?Route=%3Csip:sip\.example\.com%3E>;expires=\d+$/,
    );
    expect(res.header('Route')).toBeUndefined();
  });
});
