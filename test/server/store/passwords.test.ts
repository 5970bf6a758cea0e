import { describe, expect, it } from 'vitest';
import {
  SCRYPT_PARAMS,
  hashPassword,
  needsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from '../../../src/server/store/passwords';

describe('password hashing', () => {
  it('encodes scrypt$16384$8$1$<salt>$<hash> with a 16-byte salt', async () => {
    const hash = await hashPassword('demo1234');
    const [scheme, n, r, p, salt, key] = hash.split('$');
    expect([scheme, n, r, p]).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(salt ?? '', 'base64')).toHaveLength(16);
    expect(Buffer.from(key ?? '', 'base64').length).toBeGreaterThanOrEqual(32);
    expect(SCRYPT_PARAMS).toEqual({ N: 16384, r: 8, p: 1 });
  });

  it('salts every hash differently', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });

  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('correct horse');
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horse ', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('treats composed and decomposed æøå as the same password', async () => {
    const hash = await hashPassword('blåbærsyltetøy'.normalize('NFC'));
    expect(await verifyPassword('blåbærsyltetøy'.normalize('NFD'), hash)).toBe(true);
  });

  it('answers false, not an error, for a malformed or hostile hash', async () => {
    for (const bad of [
      '',
      'plain',
      'bcrypt$2b$10$abc',
      'scrypt$16384$8$1$$',
      'scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      'scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
    ]) {
      expect(await verifyPassword('x', bad)).toBe(false);
    }
  });

  it('does the work of a real check for an unknown user and answers false', async () => {
    expect(await verifyAgainstDummy('demo1234')).toBe(false);
    expect(await verifyAgainstDummy()).toBe(false);
  });

  it('asks for a rehash when a stored hash is weaker than today’s parameters', async () => {
    expect(needsRehash(await hashPassword('x'))).toBe(false);
    expect(
      needsRehash(
        'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      ),
    ).toBe(true);
    expect(needsRehash('garbage')).toBe(true);
  });
});
