/** The SIP transport settings of loadConfig (README's configuration table). */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/server/config';

describe('SIP transport configuration', () => {
  it('listens on 127.0.0.1:5060 for UDP and TCP by default, with a 64 KiB limit and 200 req/s', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      sipListenAddress: '127.0.0.1',
      sipUdpPort: 5060,
      sipTcpPort: 5060,
      sipMaxMessageSize: 65536,
      sipRateLimit: 200,
      sipRateLimitExempt: ['127.0.0.1', '::1'],
    });
  });

  it('takes ephemeral SIP ports when PORT is 0 (tests), unless told otherwise', () => {
    expect(loadConfig({ PORT: '0' })).toMatchObject({ sipUdpPort: 0, sipTcpPort: 0 });
    expect(loadConfig({ PORT: '0', SIP_UDP_PORT: '5070' })).toMatchObject({ sipUdpPort: 5070 });
  });

  it('turns a transport off with "off" and reads the other settings', () => {
    const c = loadConfig({
      SIP_UDP_PORT: 'off',
      SIP_TCP_PORT: '5080',
      SIP_LISTEN_ADDRESS: '0.0.0.0',
      SIP_MAX_MESSAGE_SIZE: '4096',
      SIP_RATE_LIMIT: '0',
      SIP_RATE_LIMIT_EXEMPT: '10.0.0.5, 10.0.0.6',
    });
    expect(c).toMatchObject({
      sipUdpPort: undefined,
      sipTcpPort: 5080,
      sipListenAddress: '0.0.0.0',
      sipMaxMessageSize: 4096,
      sipRateLimit: 0,
      sipRateLimitExempt: ['10.0.0.5', '10.0.0.6'],
    });
    expect(loadConfig({ SIP_RATE_LIMIT_EXEMPT: '' }).sipRateLimitExempt).toEqual([]);
  });

  it('refuses bad values', () => {
    expect(() => loadConfig({ SIP_UDP_PORT: '70000' })).toThrow(/SIP_UDP_PORT/);
    expect(() => loadConfig({ SIP_TCP_PORT: 'x' })).toThrow(/SIP_TCP_PORT/);
    expect(() => loadConfig({ SIP_RATE_LIMIT: '-1' })).toThrow(/SIP_RATE_LIMIT/);
    expect(() => loadConfig({ SIP_MAX_MESSAGE_SIZE: '1.5' })).toThrow(/SIP_MAX_MESSAGE_SIZE/);
  });
});
