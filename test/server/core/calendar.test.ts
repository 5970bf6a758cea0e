import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAndRegister, type Registered } from '../support/scenarios';
import { startTestCore, type TestCore } from '../support/test-core';

let core: TestCore;
let feed: Server;
let ics = '';
const opened: Array<{ close(): void }> = [];

const stamp = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

beforeAll(async () => {
  feed = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/calendar');
    res.end(ics);
  });
  await new Promise<void>((r) => feed.listen(0, '127.0.0.1', () => r()));
  core = await startTestCore({ CALENDAR_SYNC_S: '0' });
});
afterAll(async () => {
  for (const o of opened) o.close();
  await core?.close();
  feed?.close();
});

async function user(username: string): Promise<Registered> {
  const r = await loginAndRegister(core.wsUrl, username);
  opened.push(r.peer, r.api);
  return r;
}

describe('calendar sync', () => {
  it("turns a meeting in the person's ICS feed into an absence that ends on time", async () => {
    const stian = await user('stian.ellingsen');
    const login = (await stian.api.command('presence.list')) as {
      result: { people: Array<{ userId: string }> };
    };
    expect(login.result.people.length).toBeGreaterThan(0);
    const start = Date.now() - 60_000;
    const end = Math.ceil((Date.now() + 2500) / 1000) * 1000;
    ics = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//Sentral test//EN',
      'BEGIN:VEVENT',
      'UID:meeting-1@test',
      `DTSTAMP:${stamp(start)}`,
      `DTSTART:${stamp(start)}`,
      `DTEND:${stamp(end)}`,
      'SUMMARY:Styremøte',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const port = (feed.address() as AddressInfo).port;
    const mark = stian.api.events().length;
    expect(
      await stian.api.command('calendar.set', { url: `http://127.0.0.1:${port}/stian.ics` }),
    ).toMatchObject({ ok: true });
    const absent = await stian.api.waitForEvent(
      (e) =>
        stian.api.events().indexOf(e) >= mark &&
        e.event === 'presence.changed' &&
        e.data.state === 'absent',
    );
    expect(absent.data.absence).toMatchObject({
      reason: 'meeting',
      source: 'calendar',
      message: 'Styremøte',
      until: end,
    });
    const back = await stian.api.waitForEvent(
      (e) =>
        stian.api.events().indexOf(e) > stian.api.events().indexOf(absent) &&
        e.event === 'presence.changed' &&
        e.data.state === 'free',
      6000,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(end);
    expect(back.data.absence).toBeNull();
  });

  it("refuses a feed that is not a URL, and other people's feeds for non-admins", async () => {
    const ragnhild = await user('ragnhild.vik');
    expect(
      await ragnhild.api.command('calendar.set', { url: 'javascript:alert(1)' }),
    ).toMatchObject({ error: { code: 'bad_request' } });
    const list = (await ragnhild.api.command('directory.list')) as {
      result: { people: Array<{ id: string; username: string }> };
    };
    const other = list.result.people.find((p) => p.username === 'frode.naess')?.id;
    expect(
      await ragnhild.api.command('calendar.set', {
        userId: other,
        url: 'https://example.invalid/x.ics',
      }),
    ).toMatchObject({ error: { code: 'forbidden' } });
  });
});
