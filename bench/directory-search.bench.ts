/**
 * Directory search over 50,000 people, the way the switchboard UI queries it: every
 * keystroke is a search. Generates a realistic Norwegian company (combinatorial first
 * and last names with æ ø å, titles, departments, extensions, mobiles, some extra
 * numbers), builds the index in bulk, then times ~2,000 keystroke searches — prefixes
 * of first names, "first last", surnames typed without æøå, departments and titles,
 * numbers in +47 / 0047 / national / spaced form, extensions and partial digits.
 * Target (issue 4): p95 ≤ 5 ms per search; the architecture promises < 1 ms.
 *
 * Run alone: `npx tsx bench/directory-search.bench.ts`.
 */
import { performance } from 'node:perf_hooks';
import type { DirectoryEntry } from '../src/server/people/directory-index';
import { DirectoryIndex } from '../src/server/people/directory-index';
import type { BenchResult } from './stats';
import { median, percentile, printResults } from './stats';

const PEOPLE = 50_000;
const TENANT = 'bench-tenant';
const TARGET_KEYSTROKES = 2_000;

/** Deterministic PRNG (mulberry32), so every run searches the same company. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// prettier-ignore
const FIRST = [
  'Kari', 'Ola', 'Bjørn', 'Åse', 'Kåre', 'René', 'André', 'Jørgen', 'Håkon', 'Øyvind', 'Ingrid',
  'Hege', 'Tor', 'Lars', 'Silje', 'Martin', 'Ida', 'Camilla', 'Nina', 'Sofie', 'Even', 'Thea',
  'Sindre', 'Mathilde', 'Anne-Lise', 'Marianne', 'Solveig', 'Kristin', 'Eirik', 'Randi', 'Stian',
  'Hanne', 'Frode', 'Ragnhild', 'Gunnar', 'Jonas', 'Mads', 'Julie', 'Dag', 'Live', 'Bård', 'Mons',
  'Sigrid', 'Torbjørn', 'Æsa', 'Åsmund', 'Pål', 'Gøran', 'Hélène', 'Zoë', 'Jens', 'Emma', 'Nora',
  'Olav', 'Magnus', 'Henrik', 'Jakob', 'Ingvild', 'Marit', 'Tone', 'Vegard', 'Øystein', 'Ståle',
  'Aslak', 'Guro', 'Turid', 'Knut', 'Erlend', 'Maja', 'Ylva', 'Synnøve', 'Dagfinn', 'Kjersti',
  'Ørjan', 'Tormod', 'Liv', 'Astrid', 'Sverre', 'Helga', 'Brynjar', 'Rønnaug', 'Mia', 'Aurora',
  'Filip', 'Sander', 'Elias', 'Oskar', 'Tobias', 'Linnéa', 'Frøydis', 'Idun', 'Halvard', 'Jon',
  'Per', 'Geir', 'Svein', 'Ellen', 'Berit', 'Siv', 'Wenche',
];
// prettier-ignore
const LAST = [
  'Nordmann', 'Strøm', 'Bakke', 'Ødegård', 'Solberg', 'Eriksen', 'Hansen', 'Lie', 'Johansen',
  'Larsen', 'Andersen', 'Pedersen', 'Mæland', 'Kristiansen', 'Jensen', 'Karlsen', 'Berg', 'Dahl',
  'Halvorsen', 'Jacobsen', 'Moen', 'Gundersen', 'Sæbø', 'Haugen', 'Sæther', 'Bråten', 'Lund',
  'Myhre', 'Holm', 'Aasen', 'Ellingsen', 'Bø', 'Næss', 'Vik', 'Fjeld', 'Strand', 'Berntsen',
  'Fosse', 'Rønning', 'Åsheim', 'Grønli', 'Løvås', 'Skår', 'Thorsen', 'Nilsen', 'Olsen', 'Nygård',
  'Bakken', 'Kristoffersen', 'Jørgensen', 'Rasmussen', 'Sørensen', 'Mathisen', 'Hagen', 'Johnsen',
  'Lunde', 'Solheim', 'Iversen', 'Knutsen', 'Eide', 'Ruud', 'Tveit', 'Sandvik', 'Brekke', 'Aas',
  'Kvåle', 'Østby', 'Øien', 'Hovland', 'Rød', 'Engen', 'Bjørnstad', 'Tangen', 'Vestby', 'Nordli',
  'Hætta', 'Sletten', 'Dybdahl', 'Kleppe', 'Haaland', 'Årdal', 'Fjellstad', 'Wiik', 'Gjerde',
  'Mørk', 'Sunde', 'Hauge', 'Nesse', 'Lien', 'Flaten', 'Borgen', 'Støren', 'Ødegaard', 'Kårstad',
  'Brænden', 'Tømmerås', 'Lyngstad', 'Hegge', 'Sæterdal', 'Mjøen', 'Grøtte', 'Holmen', 'Nordby',
  'Eikrem', 'Solbakken', 'Vågen', 'Ås', 'Bøe', 'Dæhli',
];
// prettier-ignore
const DEPARTMENTS = [
  'Sentralbord', 'Salg', 'Kundeservice', 'Økonomi', 'IT', 'Ledelse', 'HR', 'Innkjøp', 'Lønn',
  'Regnskap', 'Revisjon', 'Skatt', 'Juridisk', 'Marked', 'Kommunikasjon', 'Drift', 'Utvikling',
  'Logistikk', 'Lager', 'Kvalitet', 'Sikkerhet', 'Eiendom', 'Rådgivning', 'Forretningsutvikling',
  'Prosjektkontor',
];
// prettier-ignore
const TITLES = [
  'Rådgiver', 'Seniorrådgiver', 'Konsulent', 'Seniorkonsulent', 'Avdelingsleder', 'Teamleder',
  'Saksbehandler', 'Regnskapsfører', 'Autorisert regnskapsfører', 'Kundebehandler',
  'Salgskonsulent', 'Systemutvikler', 'IT-konsulent', 'Prosjektleder', 'Controller', 'Økonomisjef',
  'Lønnsansvarlig', 'Sentralbordoperatør', 'Jurist', 'Markedskoordinator', 'Driftstekniker',
  'Lagermedarbeider', 'Kvalitetsrådgiver', 'Daglig leder', 'Fagansvarlig',
];
const COMPANIES = ['Nordlys Regnskap AS', 'Nordlys Rådgivning AS', 'Nordlys Lønn AS'];

function asciiLower(name: string): string {
  return name
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/å/g, 'a')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z-]/g, '');
}

const pick = <T>(rnd: () => number, items: readonly T[]): T =>
  items[Math.floor(rnd() * items.length)] as T;

/** 50,000 people with unique extensions (10000–59999) and mobiles. */
export function generatePeople(count = PEOPLE, seed = 4): DirectoryEntry[] {
  const rnd = prng(seed);
  const mobiles = new Set<string>();
  const people: DirectoryEntry[] = [];
  for (let i = 0; i < count; i++) {
    const firstName = pick(rnd, FIRST);
    // One in five has a double surname, e.g. "Bakke Ødegård".
    const lastName = rnd() < 0.2 ? `${pick(rnd, LAST)} ${pick(rnd, LAST)}` : pick(rnd, LAST);
    let mobile: string;
    do {
      mobile = `+47${rnd() < 0.5 ? '4' : '9'}${String(Math.floor(rnd() * 1e7)).padStart(7, '0')}`;
    } while (mobiles.has(mobile));
    mobiles.add(mobile);
    const extra: string[] = [];
    // Some have a desk line (written with spaces) as an extra terminal.
    if (rnd() < 0.15)
      extra.push(
        `22 ${String(Math.floor(rnd() * 1e6))
          .padStart(6, '0')
          .replace(/(\d\d)(\d\d)(\d\d)/, '$1 $2 $3')}`,
      );
    people.push({
      id: `p${i}`,
      tenantId: TENANT,
      firstName,
      lastName,
      displayName: `${firstName} ${lastName}`,
      title: pick(rnd, TITLES),
      department: pick(rnd, DEPARTMENTS),
      company: pick(rnd, COMPANIES),
      email: `${asciiLower(firstName)}.${asciiLower(lastName).replace(/ /g, '')}${i}@nordlys.example`,
      extension: String(10000 + i),
      mobile,
      extraNumbers: extra,
      kind: 'person',
    });
  }
  return people;
}

/** Every prefix of `text`, as typed one key at a time. */
const keystrokes = (text: string): string[] =>
  Array.from({ length: text.length }, (_, i) => text.slice(0, i + 1)).filter((q) => q.trim());

/** The typed texts: names, surnames without æøå, departments, numbers in every format. */
export function generateQueries(people: readonly DirectoryEntry[], seed = 7): string[] {
  const rnd = prng(seed);
  const out: string[] = [];
  const kinds: Array<(p: DirectoryEntry) => string> = [
    (p) => p.firstName,
    (p) => `${p.firstName} ${p.lastName}`,
    (p) => asciiLower(p.lastName),
    (p) => `${p.lastName.split(' ')[0] ?? ''} ${p.firstName.slice(0, 2)}`,
    (p) => p.department ?? '',
    (p) => (p.title ?? '').split(' ')[0] ?? '',
    (p) => (p.mobile ?? '').slice(3).replace(/(\d{3})(\d{2})(\d{3})/, '$1 $2 $3'),
    (p) => (p.mobile ?? '').replace(/^\+47(\d{3})(\d{2})(\d{3})/, '+47 $1 $2 $3'),
    (p) => `00${(p.mobile ?? '').slice(1)}`,
    (p) => (p.mobile ?? '').slice(3),
    (p) => p.extension ?? '',
    (p) => (p.mobile ?? '').slice(5, 9), // partial digits from the middle
  ];
  while (out.length < TARGET_KEYSTROKES) {
    const person = pick(rnd, people);
    out.push(...keystrokes(pick(rnd, kinds)(person)));
  }
  return out.slice(0, TARGET_KEYSTROKES);
}

export async function run(): Promise<BenchResult[]> {
  const people = generatePeople();
  const queries = generateQueries(people);

  const index = new DirectoryIndex();
  const builds: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    index.replaceTenant(TENANT, people);
    builds.push(performance.now() - started);
  }

  // Warm up (JIT), then time every keystroke.
  for (const q of queries) index.search(TENANT, q);
  const samples: number[] = [];
  let empty = 0;
  for (const q of queries) {
    const started = performance.now();
    const hits = index.search(TENANT, q);
    samples.push(performance.now() - started);
    if (hits.length === 0) empty++;
  }

  // Live updates: upserts of changed people, each followed by a search.
  const updates: number[] = [];
  const afterUpdate: number[] = [];
  for (let i = 0; i < 1_000; i++) {
    const person = people[(i * 37) % people.length] as DirectoryEntry;
    const changed = {
      ...person,
      title: 'Seniorrådgiver',
      mobile: `+4799${String(i).padStart(6, '0')}`,
    };
    let started = performance.now();
    index.upsert(changed);
    updates.push(performance.now() - started);
    started = performance.now();
    index.search(TENANT, queries[i % queries.length] as string);
    afterUpdate.push(performance.now() - started);
  }

  const note = `${queries.length} keystroke searches, ${PEOPLE.toLocaleString('en')} people, limit 20`;
  return [
    { name: 'directory search p50', value: median(samples), unit: 'ms', note },
    {
      name: 'directory search p95',
      value: percentile(samples, 95),
      unit: 'ms',
      note: 'target ≤ 5 ms',
    },
    { name: 'directory search p99', value: percentile(samples, 99), unit: 'ms' },
    { name: 'directory search max', value: Math.max(...samples), unit: 'ms' },
    {
      name: 'directory search: keystrokes with no hit',
      value: empty,
      unit: 'searches',
      note: `of ${queries.length}`,
    },
    {
      name: 'directory index build (replaceTenant)',
      value: median(builds),
      unit: 'ms',
      note: `${PEOPLE.toLocaleString('en')} people, median of ${builds.length}`,
    },
    { name: 'directory upsert p50', value: median(updates), unit: 'ms' },
    { name: 'directory upsert p99', value: percentile(updates, 99), unit: 'ms' },
    { name: 'directory search after upsert p95', value: percentile(afterUpdate, 95), unit: 'ms' },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printResults(await run());
}
