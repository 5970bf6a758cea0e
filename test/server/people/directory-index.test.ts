import { beforeEach, describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../../../src/server/people/directory-index';
import { DIRECTORY_SCORE, DirectoryIndex } from '../../../src/server/people/directory-index';
import { fold } from '../../../src/server/people/fold';
import { DEMO_DEPARTMENTS, DEMO_USERS, usernameFor } from '../../../src/server/store/seed';

const TENANT = 'tenant-nordlys';
const OTHER = 'tenant-other';

/** The seeded demo company as directory entries: 41 people and 6 departments. */
function demoEntries(tenantId = TENANT, prefix = ''): DirectoryEntry[] {
  // As the switchboard loads it: kiosk logins (the queue board) are not in the directory.
  const people = DEMO_USERS.filter((u) => u.role !== 'board').map((u): DirectoryEntry => ({
    id: `${prefix}${u.username}`,
    tenantId,
    firstName: u.firstName,
    lastName: u.lastName,
    displayName: u.name,
    title: u.title,
    department: u.department,
    company: 'Nordlys Regnskap AS',
    email: u.email,
    extension: u.extension,
    mobile: u.mobile,
    kind: 'person',
  }));
  const departments = DEMO_DEPARTMENTS.map((d): DirectoryEntry => ({
    id: `${prefix}dept:${d.name}`,
    tenantId,
    firstName: '',
    lastName: '',
    displayName: d.name,
    title: null,
    department: d.name,
    extraNumbers: d.number ? [d.number] : [],
    kind: 'department',
  }));
  return [...people, ...departments];
}

function person(id: string, first: string, last: string, extra: Partial<DirectoryEntry> = {}) {
  return {
    id,
    tenantId: TENANT,
    firstName: first,
    lastName: last,
    displayName: `${first} ${last}`,
    title: null,
    department: null,
    kind: 'person',
    ...extra,
  } satisfies DirectoryEntry;
}

const idFor = (first: string, last: string) => usernameFor(first, last);

function kariEntry(): DirectoryEntry {
  const kari = demoEntries().find((e) => e.id === 'kari.nordmann');
  if (!kari) throw new Error('demo data without Kari Nordmann');
  return kari;
}

let index: DirectoryIndex;
const ids = (query: string, limit?: number) =>
  index.search(TENANT, query, limit === undefined ? {} : { limit }).map((h) => h.id);

beforeEach(() => {
  index = new DirectoryIndex();
  index.replaceTenant(TENANT, demoEntries());
});

describe('folding', () => {
  it('folds æ ø å and accents to one form for index and query alike', () => {
    expect(fold('Ødegård')).toBe('odegard');
    expect(fold('oedegaard')).toBe('odegard');
    expect(fold('ODEGARD')).toBe('odegard');
    expect(fold('René')).toBe('rene');
    expect(fold('Sæbø')).toBe('saebo');
    expect(fold('Müller')).toBe(fold('Mueller'));
    expect(fold('Åse')).toBe(fold('Aase'));
  });
});

describe('accent-insensitive search', () => {
  const bjorn = idFor('Bjørn', 'Ødegård');

  it.each(['Ødegård', 'ødegård', 'odegard', 'oedegaard', 'ODEGAARD', 'Odegård'])(
    'finds Bjørn Ødegård by %j',
    (query) => {
      expect(ids(query)[0]).toBe(bjorn);
    },
  );

  it.each(['bjø', 'bjo', 'bjoe', 'ode', 'øde', 'Bjørn Ø', 'bjorn odegard'])(
    'finds Bjørn Ødegård by the prefix %j',
    (query) => {
      expect(ids(query)).toContain(bjorn);
    },
  );

  it('finds René by "Rene" and "rené"', () => {
    expect(ids('Rene')[0]).toBe(idFor('René', 'Lie'));
    expect(ids('rené')[0]).toBe(idFor('René', 'Lie'));
  });

  it('finds æ and å names typed with ae and aa', () => {
    expect(ids('maeland')).toEqual([idFor('Kåre', 'Mæland')]);
    expect(ids('kaare')).toContain(idFor('Kåre', 'Mæland'));
    expect(ids('aase strom')).toEqual([idFor('Åse', 'Strøm')]);
  });

  it('is case-insensitive', () => {
    expect(ids('KARI NORDMANN')).toEqual(ids('kari nordmann'));
    expect(ids('kari nordmann')[0]).toBe(idFor('Kari', 'Nordmann'));
  });
});

describe('numbers in any format', () => {
  const kari = idFor('Kari', 'Nordmann');

  it.each([
    '+47 400 01 001',
    '+4740001001',
    '0047 40001001',
    '0047 400 01 001',
    '40001001',
    '400 01 001',
    '400-01-001',
    '(+47) 400 01 001',
    '4740001001',
  ])('finds Kari Nordmann by %j as an exact number', (query) => {
    const [hit] = index.search(TENANT, query);
    expect(hit).toEqual({ id: kari, score: DIRECTORY_SCORE.exactNumber, matched: 'number' });
  });

  it('finds partial digits anywhere in a number', () => {
    const hits = index.search(TENANT, '0100');
    expect(hits.map((h) => h.id)).toContain(kari);
    expect(hits.find((h) => h.id === kari)?.score).toBe(DIRECTORY_SCORE.substring);
  });

  it('ranks a number prefix above a digit substring', () => {
    const hits = index.search(TENANT, '400 01 00');
    expect(hits[0]?.score).toBe(DIRECTORY_SCORE.numberPrefix);
    expect(hits.slice(0, 5).map((h) => h.id)).toContain(kari);
  });

  it('puts the exact extension first, then numbers that contain it', () => {
    // Sorted by name alone, Aas and Berg would come before Nordmann.
    index.upsert(person('aas', 'Per', 'Aas', { extension: '10010', mobile: '+4741001001' }));
    index.upsert(person('berg', 'Per', 'Berg', { extraNumbers: ['22 10 01 00'] }));
    const hits = index.search(TENANT, '1001');
    expect(hits).toEqual([
      { id: kari, score: DIRECTORY_SCORE.extension, matched: 'number' },
      { id: 'aas', score: DIRECTORY_SCORE.numberPrefix, matched: 'number' },
      { id: 'berg', score: DIRECTORY_SCORE.substring, matched: 'number' },
    ]);
  });

  it('finds a department by its own number', () => {
    expect(ids('21 00 00 20')[0]).toBe('dept:Salg');
    expect(ids('+47 21000020')[0]).toBe('dept:Salg');
  });

  it('keeps an international prefix to whole E.164 numbers', () => {
    // +47 4000 starts Kari's mobile; "4000" alone also starts it nationally.
    expect(ids('+47 4000 1001')).toEqual([kari]);
  });
});

describe('ranking', () => {
  beforeEach(() => {
    index.replaceTenant(TENANT, [
      person('a', 'Ola', 'Nordby'),
      person('b', 'Kari', 'Olavsen'),
      person('c', 'Per', 'Bolaas'),
      person('d', 'Anne-Ola', 'Vik'),
      person('e', 'Ola', 'Andersen'),
      person('f', 'Nina', 'Berg', { title: 'Olabil-ansvarlig' }),
      person('g', 'Åse', 'Aasen'),
      person('h', 'Ole', 'Østby'),
    ]);
  });

  it('ranks full-name prefix over surname prefix over word prefix over substring', () => {
    const hits = index.search(TENANT, 'ola');
    expect(hits.map((h) => [h.id, h.score])).toEqual([
      ['e', DIRECTORY_SCORE.fullNamePrefix],
      ['a', DIRECTORY_SCORE.fullNamePrefix],
      ['b', DIRECTORY_SCORE.reversedNamePrefix],
      ['d', DIRECTORY_SCORE.nameWordPrefix],
      ['f', DIRECTORY_SCORE.wordPrefix],
      ['c', DIRECTORY_SCORE.nameSubstring],
    ]);
    expect(hits.find((h) => h.id === 'f')?.matched).toBe('title');
  });

  it('breaks ties by last name, then first name, in Norwegian order (Ø and Å after Z)', () => {
    index.replaceTenant(TENANT, [
      person('1', 'Per', 'Åsen'),
      person('2', 'Per', 'Østby'),
      person('3', 'Per', 'Zahl'),
      person('4', 'Per', 'Andersen'),
      person('5', 'Per', 'Ærø'),
      person('6', 'Pål', 'Andersen'),
    ]);
    // Ties by last name; Pål (å) after Per.
    expect(ids('p')).toEqual(['4', '6', '3', '5', '2', '1']);
  });

  it('ranks substring matches only after every prefix match', () => {
    index.replaceTenant(TENANT, [
      person('x', 'Anna', 'Holm'),
      person('y', 'Hanne', 'Berg'),
      person('z', 'Annette', 'Lund'),
    ]);
    expect(ids('ann')).toEqual(['x', 'z', 'y']);
  });

  it('orders an update into the right place among ties at once', () => {
    index.upsert(person('i', 'Ola', 'Abel'));
    expect(ids('ola').slice(0, 3)).toEqual(['i', 'e', 'a']);
  });
});

describe('multi-word queries', () => {
  it('ANDs the words in any order', () => {
    const kari = idFor('Kari', 'Nordmann');
    expect(ids('kari nord')).toEqual([kari]);
    expect(ids('nord kari')).toEqual([kari]);
    expect(ids('nordmann, kari')).toEqual([kari]);
  });

  it('ranks reading order above surname-first order', () => {
    const hits = index.search(TENANT, 'kari nord');
    expect(hits[0]?.score).toBe(DIRECTORY_SCORE.fullNamePrefix);
    expect(index.search(TENANT, 'nordmann k')[0]?.score).toBe(DIRECTORY_SCORE.reversedNamePrefix);
  });

  it('combines name, title and department words', () => {
    expect(ids('regnskapsfører hol')).toEqual([idFor('Eirik', 'Holm')]);
    // "konsulent" only occurs inside "salgskonsulent": a weaker, substring match.
    const weak = index.search(TENANT, 'salg konsulent');
    expect(weak.length).toBe(3);
    expect(weak.every((h) => h.score === DIRECTORY_SCORE.substring)).toBe(true);
    expect(ids('salgskonsulent').sort()).toEqual(
      [idFor('Martin', 'Andersen'), idFor('Ida', 'Pedersen'), idFor('Kåre', 'Mæland')].sort(),
    );
  });

  it('needs every word to match', () => {
    expect(ids('kari zzz')).toEqual([]);
  });

  it('mixes names and digits', () => {
    expect(ids('kari 1001')).toEqual([idFor('Kari', 'Nordmann')]);
  });
});

describe('title, department and e-mail', () => {
  it('finds people by department and title words', () => {
    const it = index.search(TENANT, 'brukerstøtte');
    expect(it).toEqual([
      { id: idFor('Dag', 'Rønning'), score: DIRECTORY_SCORE.wordPrefix, matched: 'title' },
    ]);
    const economy = index.search(TENANT, 'økonomi', { limit: 100 });
    expect(economy[0]).toMatchObject({ id: 'dept:Økonomi', matched: 'name' });
    // Twelve people work in Økonomi; the head's title (Økonomisjef) is the better match.
    expect(economy.filter((h) => h.matched === 'department').length).toBe(11);
    expect(economy.find((h) => h.id === idFor('Marianne', 'Haugen'))?.matched).toBe('title');
  });

  it('finds people by company name but not by its legal form', () => {
    const hits = index.search(TENANT, 'nordlys regn', { limit: 100 });
    expect(hits.length).toBe(41);
    // Company words count as 'department'; "regn" also starts the accountants' titles.
    expect(hits.every((h) => h.matched === 'department' || h.matched === 'title')).toBe(true);
    expect(hits.some((h) => h.matched === 'department')).toBe(true);
    // "AS" is in every company name; it must not pull in all 41 people.
    expect(ids('as', 100)).not.toContain(idFor('Kari', 'Nordmann'));
  });

  it('finds a person by e-mail address, exactly or by its local part', () => {
    const bjorn = idFor('Bjørn', 'Ødegård');
    expect(index.search(TENANT, 'bjorn.odegard@nordlys.example')[0]).toEqual({
      id: bjorn,
      score: DIRECTORY_SCORE.exactNumber,
      matched: 'email',
    });
    expect(ids('bjorn.odegard')).toEqual([bjorn]);
  });
});

describe('tenants', () => {
  it('never returns another tenant’s entries', () => {
    index.replaceTenant(OTHER, demoEntries(OTHER, 'other:'));
    index.upsert({ ...person('other:zed', 'Zed', 'Zedsen'), tenantId: OTHER });
    for (const query of ['kari', 'a', '1001', '+47 400 01 001', '0', 'zed', 'salg']) {
      expect(ids(query, 1000).some((id) => id.startsWith('other:'))).toBe(false);
      expect(
        index.search(OTHER, query, { limit: 1000 }).every((h) => h.id.startsWith('other:')),
      ).toBe(true);
    }
    expect(ids('zed')).toEqual([]);
    expect(index.search('no-such-tenant', 'kari')).toEqual([]);
  });

  it('replaces one tenant without touching another', () => {
    index.replaceTenant(OTHER, demoEntries(OTHER, 'other:'));
    index.replaceTenant(TENANT, [person('solo', 'Kari', 'Solo')]);
    expect(ids('kari')).toEqual(['solo']);
    expect(index.search(OTHER, 'kari')[0]?.id).toBe('other:kari.nordmann');
    expect(index.size(TENANT)).toBe(1);
  });

  it('refuses entries of another tenant in a bulk replace', () => {
    expect(() => index.replaceTenant(OTHER, [person('x', 'A', 'B')])).toThrow(/tenant/);
  });

  it('moves an id that is upserted into another tenant', () => {
    const kari = idFor('Kari', 'Nordmann');
    index.upsert({ ...kariEntry(), tenantId: OTHER });
    expect(ids('kari nordmann')).toEqual([]);
    expect(index.search(OTHER, 'kari nordmann').map((h) => h.id)).toEqual([kari]);
  });
});

describe('updates', () => {
  it('shows an upserted person at once', () => {
    index.upsert(person('new', 'Zoë', 'Ågren', { extension: '2001', mobile: '+4798765432' }));
    expect(ids('zoe')).toEqual(['new']);
    expect(ids('agren')).toEqual(['new']);
    expect(ids('2001')[0]).toBe('new');
    expect(ids('987 65 432')).toEqual(['new']);
    expect(ids('8765')).toEqual(['new']);
  });

  it('forgets old names and numbers when a person is changed', () => {
    const kari = kariEntry();
    index.upsert({
      ...kari,
      lastName: 'Vik',
      displayName: 'Kari Vik',
      email: 'kari.vik@nordlys.example',
      mobile: '+4799999999',
    });
    expect(ids('nordmann')).toEqual([]);
    expect(ids('kari vik')).toEqual([kari.id]);
    expect(ids('40001001')).not.toContain(kari.id);
    expect(ids('99999999')).toEqual([kari.id]);
  });

  it('hides a removed person at once', () => {
    const bjorn = idFor('Bjørn', 'Ødegård');
    expect(index.remove(bjorn)).toBe(true);
    expect(ids('ødegård')).toEqual([]);
    expect(ids('1004')).not.toContain(bjorn);
    expect(index.remove(bjorn)).toBe(false);
  });

  it('finds words added after the build by substring, and forgets removed ones', () => {
    index.upsert(person('q', 'Quentin', 'Xylofonsen'));
    expect(index.search(TENANT, 'lofon')).toEqual([
      { id: 'q', score: DIRECTORY_SCORE.nameSubstring, matched: 'name' },
    ]);
    index.remove('q');
    expect(ids('lofon')).toEqual([]);
    // Enough new words to rebuild the substring scan.
    for (let i = 0; i < 400; i++) index.upsert(person(`w${i}`, 'Per', `Xylo${i}fonsen`));
    expect(ids('9fonsen', 1000).length).toBe(40);
    for (let i = 0; i < 400; i++) index.remove(`w${i}`);
    expect(ids('fonsen')).toEqual([]);
  });

  it('stays correct through many updates (stale keys compacted)', () => {
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 800; i++) {
        const n = String(i).padStart(4, '0');
        index.upsert(person(`p${i}`, `Navn${round}`, `Test${i}`, { mobile: `+479${round}00${n}` }));
      }
    }
    for (let i = 0; i < 800; i += 2) index.remove(`p${i}`);
    expect(ids('+47 9200 0003')).toEqual(['p3']);
    expect(ids('+47 9100 0003')).toEqual([]);
    expect(ids('92000004')).toEqual([]);
    expect(ids('navn2', 1000).length).toBe(400);
    expect(ids('navn1')).toEqual([]);
    // 92000000–92000099 hold "20000"; the odd ones are left.
    expect(ids('20000', 1000).length).toBe(50);
  });
});

describe('limits and hostile input', () => {
  it('honours the limit', () => {
    expect(ids('a', 5)).toHaveLength(5);
    expect(ids('a', 0)).toEqual([]);
    expect(ids('a').length).toBe(20);
    expect(ids('a', 1000).length).toBeGreaterThan(20);
    expect(ids('a', 3)).toEqual(ids('a', 1000).slice(0, 3));
  });

  it.each([
    '<script>alert(1)</script>',
    '(.*',
    '.*',
    '[a-z]+',
    '\\',
    '^$|()',
    '%',
    "'; DROP TABLE users; --",
    '\u0000\uffff',
    '🙂',
    '   ',
    '',
    '+',
    '00',
    '0',
  ])('answers %j safely', (query) => {
    const hits = index.search(TENANT, query);
    expect(Array.isArray(hits)).toBe(true);
    expect(hits.length).toBeLessThanOrEqual(20);
  });

  it('answers very long strings without blowing up', () => {
    const queries = [
      'a'.repeat(10_000),
      '4'.repeat(10_000),
      'kari '.repeat(2_000),
      '(.*'.repeat(3_400),
    ];
    for (const query of queries) {
      const started = performance.now();
      expect(Array.isArray(index.search(TENANT, query))).toBe(true);
      // A guard against blow-ups (a backtracking pattern takes seconds), not a speed figure:
      // search speed is in the directory-search benchmark.
      expect(performance.now() - started).toBeLessThan(500);
    }
  });

  it('finds nothing for punctuation-only queries', () => {
    expect(ids('(.*')).toEqual([]);
    expect(ids('<>')).toEqual([]);
  });
});
