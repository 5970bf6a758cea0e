import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../../src/server/api/login-throttle';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('login throttle', () => {
  it('locks one address + username pair for a minute after five failures', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    const kari = { address: '10.0.0.1', username: 'kari' };
    for (let i = 0; i < 4; i++) t.fail(kari);
    expect(t.retryAfter(kari)).toBe(0);
    t.fail(kari);
    expect(t.retryAfter(kari)).toBe(60);
    expect(t.retryAfter({ address: '10.0.0.2', username: 'kari' })).toBe(0); // the account is not locked yet
    c.advance(60_001);
    expect(t.retryAfter(kari)).toBe(0);
  });

  it('locks an account for 15 minutes after ten failures from many addresses', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < 10; i++) t.fail({ address: `10.0.1.${i}`, username: 'Ola' });
    expect(t.retryAfter({ address: '192.168.9.9', username: 'ola' })).toBe(900);
    expect(t.retryAfter({ address: '192.168.9.9', username: 'kari' })).toBe(0);
  });

  it('locks an address for 5 minutes after thirty failures over many usernames, known or not', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    for (let i = 0; i < 30; i++) t.fail({ address: '10.9.9.9', username: `user${i}` });
    expect(t.retryAfter({ address: '10.9.9.9', username: 'kari' })).toBe(300);
    expect(t.retryAfter({ address: '10.9.9.8', username: 'kari' })).toBe(0);
  });

  it('forgets the pair and account counters on success, but not the address counter', () => {
    const c = clock();
    const t = new LoginThrottle(c.now);
    const ola = { address: '10.0.0.1', username: 'ola' };
    for (let i = 0; i < 4; i++) t.fail(ola);
    t.succeed(ola);
    for (let i = 0; i < 4; i++) t.fail(ola);
    expect(t.retryAfter(ola)).toBe(0);
    for (let i = 0; i < 22; i++) t.fail({ address: '10.0.0.1', username: `x${i}` });
    expect(t.retryAfter({ address: '10.0.0.1', username: 'new' })).toBe(300);
  });
});
