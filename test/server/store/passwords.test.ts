import { describe, expect, it } from 'vitest';
import {
  ARGON2_PARAMS,
  hashPassword,
  hashPasswordScrypt,
  needsRehash,
  verifyAgainstDummy,
  verifyPassword,
} from '../../../src/server/store/passwords';

describe('password hashing', () => {
  it('hashes with argon2id in PHC form with OWASP parameters (19 MiB, t=2, p=1)', async () => {
    const hash = await hashPassword('demo1234');
    expect(hash).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/,
    );
    expect(ARGON2_PARAMS).toEqual({ memoryCost: 19456, timeCost: 2, parallelism: 1 });
  });

  it('still verifies a scrypt hash from before argon2id, and asks for it to be rehashed', async () => {
    const old = await hashPasswordScrypt('demo1234');
    expect(old).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('demo1234', old)).toBe(true);
    expect(await verifyPassword('demo12345', old)).toBe(false);
    expect(needsRehash(old)).toBe(true);
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
      // argon2id asking for 4 GiB of memory, or with a broken body
      '$argon2id$v=19$m=4194304,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '$argon2id$v=19$m=19456,t=2,p=1$$',
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
        '$argon2id$v=19$m=4096,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      ),
    ).toBe(true);
    expect(needsRehash('garbage')).toBe(true);
  });
});
