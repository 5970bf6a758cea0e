/** A JSON-API session of its own for an operator in e2e tests (commands and events). */
import { expect } from '@playwright/test';
import WebSocket from 'ws';

export /** Logs `username` in on a new API WebSocket (beside any browser session of the same user). */
async function operatorApi(wsUrl: string, username: string) {
  const ws = new WebSocket(`${wsUrl}/api`);
  await new Promise((r) => ws.once('open', r));
  const frames: Array<Record<string, unknown>> = [];
  ws.on('message', (d) => {
    const frame = JSON.parse(d.toString()) as Record<string, unknown>;
    // A batch of events (they came fast) is read as the frames it holds, in order.
    if (frame.type === 'events' && Array.isArray(frame.frames))
      frames.push(...(frame.frames as Array<Record<string, unknown>>));
    else frames.push(frame);
  });
  let id = 0;
  const command = async (type: string, params: Record<string, unknown> = {}) => {
    const my = ++id;
    ws.send(JSON.stringify({ id: my, type, ...params }));
    await expect.poll(() => frames.some((f) => f.id === my)).toBe(true);
    return frames.find((f) => f.id === my) as { ok: boolean; result?: unknown; error?: unknown };
  };
  const login = await command('auth.login', { username, password: 'demo1234' });
  expect(login.ok).toBe(true);
  const event = async (name: string, pred: (data: Record<string, unknown>) => boolean) => {
    await expect
      .poll(() => frames.some((f) => f.event === name && pred(f.data as Record<string, unknown>)))
      .toBe(true);
    return frames.find((f) => f.event === name && pred(f.data as Record<string, unknown>))
      ?.data as Record<string, unknown>;
  };
  return { command, event, close: () => ws.close() };
}
