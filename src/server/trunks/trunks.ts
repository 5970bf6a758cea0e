/**
 * SIP trunks, one per tenant (issue 6): calls from the tenant's users to external numbers go
 * out through the tenant's carrier, authenticated by digest when the carrier challenges
 * ({@link DigestClient}), after the toll-fraud guard and with a presented number the user may
 * show; calls arriving from the carrier's address to the tenant's numbers are taken as calls
 * from outside. Configured per tenant in the `trunks` table (admin API `trunk.get/save`).
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Binding } from '../registrar/registrar';
import type { RingTarget } from '../b2bua/b2bua';
import type { Flow, TransportName } from '../sip';
import type { TrunkConfig, TrunkInput, TrunkRepository } from '../store/trunks';
import type { Logger } from '../logger';
import type { DigestCredentials } from './digest-client';
import { TollFraudGuard } from './toll-fraud';
import { choosePresentedNumber } from './presented-number';

/** Where the core's UDP/TCP transports give a flow to a host and port. */
export interface OutboundFlows {
  flowTo(target: { transport: 'UDP' | 'TCP'; host: string; port: number }): Flow;
}

export type ExternalRoute =
  | {
      readonly ok: true;
      readonly target: RingTarget;
      /** From and P-Asserted-Identity with the presented number (From without its tag). */
      readonly presented: string;
      readonly fromDomain: string;
    }
  | { readonly ok: false; readonly status: number; readonly reason: string };

interface LiveTrunk {
  readonly config: TrunkConfig;
  /** The trunk host's addresses (where its answers come from). */
  readonly addresses: ReadonlySet<string>;
  /**
   * Where the carrier's own calls come from: the configured inbound addresses (`ip` or
   * `ip:port`), else the trunk host — at the trunk port over UDP, so that other UDP peers on
   * the same host are not taken for the carrier.
   */
  readonly inbound: ReadonlyArray<{ readonly address: string; readonly port?: number }>;
  /** The address requests go to (the host's first address; undefined if it did not resolve). */
  readonly sendTo: string | undefined;
}

export class Trunks {
  readonly #byTenant = new Map<string, LiveTrunk>();
  readonly #guard: TollFraudGuard;

  constructor(
    private readonly deps: {
      repository: TrunkRepository;
      /** Late-bound: the transports exist once the core listens. */
      flows: () => OutboundFlows | undefined;
      logger: Logger;
      now?: () => number;
    },
  ) {
    this.#guard = new TollFraudGuard(deps.now);
  }

  async load(): Promise<void> {
    this.#byTenant.clear();
    for (const config of await this.deps.repository.all()) await this.#adopt(config);
  }

  get(tenantId: string): TrunkConfig | undefined {
    return this.#byTenant.get(tenantId)?.config;
  }

  async save(tenantId: string, input: TrunkInput): Promise<TrunkConfig> {
    const config = await this.deps.repository.save(tenantId, input);
    await this.#adopt(config);
    return config;
  }

  async remove(tenantId: string): Promise<boolean> {
    this.#byTenant.delete(tenantId);
    return this.deps.repository.remove(tenantId);
  }

  /** The tenant whose carrier sent a request on `flow` (by source address), if any. */
  tenantOfCarrier(flow: Flow): string | undefined {
    if (flow.transport !== 'UDP' && flow.transport !== 'TCP') return undefined;
    for (const trunk of this.#byTenant.values()) {
      if (!trunk.config.enabled) continue;
      const { address, port } = flow.remote;
      if (trunk.inbound.some((m) => m.address === address && (m.port ?? port) === port)) {
        return trunk.config.tenantId;
      }
    }
    return undefined;
  }

  /** Credentials for requests the core sends to a carrier on `flow`. */
  credentialsFor(flow: Flow): DigestCredentials | undefined {
    for (const trunk of this.#byTenant.values()) {
      const c = trunk.config;
      if (
        c.username &&
        c.password &&
        flow.transport === transportName(c) &&
        flow.remote.port === c.port &&
        trunk.addresses.has(flow.remote.address)
      ) {
        return { username: c.username, password: c.password };
      }
    }
    return undefined;
  }

  /**
   * Routes a user's call to the external number `e164`: the presented number (one of
   * `allowed`, chosen by `preferredIdentity`, a P-Preferred-Identity value), the toll-fraud
   * guard, then the trunk's flow.
   */
  route(
    tenantId: string,
    e164: string,
    allowed: ReadonlyArray<{ readonly number: string }>,
    preferredIdentity: string | undefined,
  ): ExternalRoute {
    const trunk = this.#byTenant.get(tenantId);
    if (!trunk || !trunk.config.enabled) {
      return { ok: false, status: 404, reason: 'No Route To External Numbers' };
    }
    const c = trunk.config;
    const presented = choosePresentedNumber(allowed, preferredIdentity);
    if (!presented.ok) return { ok: false, status: 403, reason: presented.reason };
    const verdict = this.#guard.check(tenantId, e164, c);
    if (!verdict.ok) {
      this.deps.logger.warn('external call refused', { tenantId, to: e164, why: verdict.reason });
      return { ok: false, status: verdict.status, reason: verdict.reason };
    }
    const flows = this.deps.flows();
    if (!flows || !trunk.sendTo) return { ok: false, status: 503, reason: 'Trunk Unreachable' };
    let flow: Flow;
    try {
      flow = flows.flowTo({ transport: transportName(c), host: trunk.sendTo, port: c.port });
    } catch (err) {
      this.deps.logger.error('trunk unreachable', { tenantId, err });
      return { ok: false, status: 503, reason: 'Trunk Unreachable' };
    }
    const transportParam = c.transport === 'tcp' ? ';transport=tcp' : '';
    const binding: Binding = {
      aor: `${e164}@${c.host}`,
      contactUri: `sip:${e164}@${c.host}:${c.port}${transportParam}`,
      contactParams: new Map(),
      flow,
      expiresAt: Number.POSITIVE_INFINITY,
      callId: '',
      cseq: 0,
      instanceId: undefined,
      userAgent: undefined,
    };
    return {
      ok: true,
      target: {
        binding,
        // No user answers at the far end: the callee is the number (records keep no user).
        user: { userId: '', username: e164, displayName: e164, extension: e164, domain: c.host },
      },
      presented: presented.number,
      fromDomain: c.fromDomain ?? c.host,
    };
  }

  async #adopt(config: TrunkConfig): Promise<void> {
    const hostAddresses = await this.#resolve(config.host);
    const inbound: Array<{ address: string; port?: number }> = [];
    for (const entry of config.inboundAddresses) {
      const m = /^([0-9.]+):([0-9]{1,5})$/.exec(entry);
      if (m?.[1] && m[2]) inbound.push({ address: m[1], port: Number(m[2]) });
      else for (const address of await this.#resolve(entry)) inbound.push({ address });
    }
    if (inbound.length === 0) {
      for (const address of hostAddresses) {
        inbound.push(config.transport === 'udp' ? { address, port: config.port } : { address });
      }
    }
    this.#byTenant.set(config.tenantId, {
      config,
      addresses: new Set(hostAddresses),
      inbound,
      sendTo: hostAddresses[0],
    });
  }

  async #resolve(host: string): Promise<string[]> {
    if (isIP(host)) return [host];
    try {
      return (await lookup(host, { all: true, family: 4 })).map((a) => a.address);
    } catch (err) {
      this.deps.logger.warn('trunk host does not resolve', { host, err });
      return [];
    }
  }
}

function transportName(c: TrunkConfig): Extract<TransportName, 'UDP' | 'TCP'> {
  return c.transport === 'tcp' ? 'TCP' : 'UDP';
}
