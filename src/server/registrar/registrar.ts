/**
 * The registrar (RFC 3261 §10): keeps bindings from an address of record to the contacts that
 * registered it, each tied to the transport flow it arrived on. Browsers register Contacts with
 * unreachable `.invalid` hosts (RFC 7118 §5), so a request for a browser is always sent down the
 * WebSocket the REGISTER came on; when that flow closes its bindings go with it.
 */
import {
  createResponse,
  parseNameAddr,
  type Flow,
  type SipRequest,
  type SipResponse,
} from '../sip';

export interface Binding {
  /** `user@domain`, lowercase. */
  readonly aor: string;
  /** The contact URI as registered (where requests are addressed). */
  readonly contactUri: string;
  /** Contact header params other than `expires` (e.g. `+sip.instance`, `reg-id`). */
  readonly contactParams: ReadonlyMap<string, string | null>;
  flow: Flow;
  expiresAt: number;
  callId: string;
  cseq: number;
  readonly instanceId: string | undefined;
  readonly userAgent: string | undefined;
}

export interface RegistrarOptions {
  now?: () => number;
  minExpires?: number;
  maxExpires?: number;
  defaultExpires?: number;
  /** Called whenever the set of bindings of an AOR changes (presence uses it later). */
  onChange?: (aor: string, bindings: readonly Binding[]) => void;
}

export class Registrar {
  readonly #bindings = new Map<string, Binding[]>();
  readonly #now: () => number;
  readonly #min: number;
  readonly #max: number;
  readonly #default: number;

  constructor(private readonly opts: RegistrarOptions = {}) {
    this.#now = opts.now ?? Date.now;
    this.#min = opts.minExpires ?? 60;
    this.#max = opts.maxExpires ?? 3600;
    this.#default = opts.defaultExpires ?? 3600;
  }

  /** Number of live bindings over all AORs. */
  get size(): number {
    let n = 0;
    for (const list of this.#bindings.values()) n += list.length;
    return n;
  }

  /**
   * Applies an authenticated REGISTER for `aor` and returns the response to send.
   * @param aor `user@domain` of the To header, already checked against the credentials.
   */
  register(req: SipRequest, aor: string, flow: Flow): SipResponse {
    const now = this.#now();
    const key = aor.toLowerCase();
    const callId = req.callId;
    const cseq = req.cseq.seq;
    const headerExpires = parseExpires(req.get('Expires'));
    const contacts = req.getAll('Contact');
    const current = this.#live(key, now);

    if (contacts.length === 0) return this.#ok(req, current, now);

    if (contacts.length === 1 && contacts[0]?.trim() === '*') {
      if (headerExpires !== 0) return createResponse(req, 400, 'Wildcard Contact needs Expires: 0');
      for (const b of current) {
        if (b.callId === callId && cseq <= b.cseq) {
          return createResponse(req, 500, 'Out of order REGISTER');
        }
      }
      this.#set(key, []);
      return this.#ok(req, [], now);
    }

    const next = [...current];
    for (const raw of contacts) {
      let parsed;
      try {
        parsed = parseNameAddr(raw);
      } catch {
        return createResponse(req, 400, 'Bad Contact');
      }
      const params = new Map(parsed.params);
      const expiresParam = params.get('expires');
      params.delete('expires');
      let expires = parseExpires(expiresParam ?? undefined) ?? headerExpires ?? this.#default;
      if (expires !== 0 && expires < this.#min) {
        const res = createResponse(req, 423, 'Interval Too Brief');
        res.set('Min-Expires', String(this.#min));
        return res;
      }
      expires = Math.min(expires, this.#max);
      const contactUri = parsed.uri.toString();
      const instanceId = unquote(params.get('+sip.instance'));
      const index = next.findIndex((b) =>
        instanceId !== undefined ? b.instanceId === instanceId : b.contactUri === contactUri,
      );
      const existing = index >= 0 ? next[index] : undefined;
      if (existing && existing.callId === callId && cseq <= existing.cseq) {
        return createResponse(req, 500, 'Out of order REGISTER');
      }
      if (expires === 0) {
        if (index >= 0) next.splice(index, 1);
        continue;
      }
      const binding: Binding = {
        aor: key,
        contactUri,
        contactParams: params,
        flow,
        expiresAt: now + expires * 1000,
        callId,
        cseq,
        instanceId,
        userAgent: req.get('User-Agent'),
      };
      if (index >= 0) next[index] = binding;
      else next.push(binding);
    }
    this.#set(key, next);
    return this.#ok(req, next, now);
  }

  /** Live bindings of an AOR (`user@domain`). */
  lookup(aor: string): Binding[] {
    return this.#live(aor.toLowerCase(), this.#now());
  }

  /** Drops every binding that lives on `flow` (the WebSocket closed). */
  flowClosed(flow: Flow): void {
    for (const [aor, list] of this.#bindings) {
      const kept = list.filter((b) => b.flow !== flow);
      if (kept.length !== list.length) this.#set(aor, kept);
    }
  }

  /** Removes expired bindings; the core calls this periodically. */
  sweep(): void {
    const now = this.#now();
    for (const [aor, list] of this.#bindings) {
      const kept = list.filter((b) => b.expiresAt > now);
      if (kept.length !== list.length) this.#set(aor, kept);
    }
  }

  #live(aor: string, now: number): Binding[] {
    return (this.#bindings.get(aor) ?? []).filter((b) => b.expiresAt > now && !b.flow.closed);
  }

  #set(aor: string, list: Binding[]): void {
    if (list.length === 0) this.#bindings.delete(aor);
    else this.#bindings.set(aor, list);
    this.opts.onChange?.(aor, list);
  }

  #ok(req: SipRequest, bindings: readonly Binding[], now: number): SipResponse {
    const res = createResponse(req, 200);
    for (const b of bindings) {
      const secs = Math.max(0, Math.round((b.expiresAt - now) / 1000));
      let value = `<${b.contactUri}>`;
      for (const [name, val] of b.contactParams)
        value += val === null ? `;${name}` : `;${name}=${val}`;
      res.add('Contact', `${value};expires=${secs}`);
    }
    res.set('Date', new Date(now).toUTCString());
    return res;
  }
}

function parseExpires(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (!/^\d{1,10}$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

function unquote(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
