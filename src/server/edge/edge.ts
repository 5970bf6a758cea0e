/**
 * The production edge (Kamailio in front of the core, deploy/kamailio): which requests the
 * core trusts because the edge authenticated them, and the flow requests for users take.
 *
 * Browsers register at the edge; the edge relays each authenticated REGISTER to the tenant's
 * core with a `P-Asserted-Identity` it sets itself (and strips from everyone else). The core
 * believes that header only on requests arriving from the edge's address, and keeps the
 * binding on the flow to the edge, so a later INVITE for the user goes to the edge, which
 * sends it down the browser's WebSocket (the Contact carries its alias).
 */
import { parseNameAddr, type Flow, type SipRequest } from '../sip';

/** Where the core reaches the edge (Kamailio's core-facing listener). */
export interface EdgeTarget {
  transport: 'UDP' | 'TCP';
  host: string;
  port: number;
}

export interface EdgeConfig {
  /** The auth_ephemeral secret shared with Kamailio. */
  secret: string;
  /** The edge's WebSocket URL handed to browsers (`wss://sip.example.com`). */
  wsUrl: string;
  /** The edge's core-facing SIP listener. */
  sip: EdgeTarget;
}

/** `udp:127.0.0.1:5070` or `sip:127.0.0.1:5070;transport=tcp` → an {@link EdgeTarget}. */
export function parseEdgeTarget(value: string): EdgeTarget {
  const short = /^(udp|tcp):([^:;]+):(\d{1,5})$/i.exec(value);
  const uri = /^sips?:([^:;]+):(\d{1,5})(?:;transport=(udp|tcp))?$/i.exec(value);
  if (short?.[1] && short[2] && short[3]) {
    return { transport: short[1].toUpperCase() as 'UDP' | 'TCP', host: short[2], port: +short[3] };
  }
  if (uri?.[1] && uri[2]) {
    const transport = (uri[3] ?? 'udp').toUpperCase() as 'UDP' | 'TCP';
    return { transport, host: uri[1], port: +uri[2] };
  }
  throw new Error(`EDGE_SIP must look like udp:127.0.0.1:5070, got "${value}"`);
}

export interface AssertedUser {
  /** The SIP user part (login username), lowercase. */
  user: string;
  /** The tenant domain, lowercase. */
  domain: string;
}

export class Edge {
  constructor(
    readonly config: EdgeConfig,
    /** The transport layer's `flowTo` (a flow that reconnects or re-resolves as needed). */
    private readonly flowTo: (target: EdgeTarget) => Flow,
  ) {}

  /** A request that came from the edge (its address; the port varies with TCP). */
  trusts(flow: Flow): boolean {
    return flow.remote.address === this.config.sip.host && flow.transport !== 'WS';
  }

  /** The user the edge authenticated, when the request came from the edge and says so. */
  assertedUser(req: SipRequest, flow: Flow): AssertedUser | undefined {
    if (!this.trusts(flow)) return undefined;
    const pai = req.get('P-Asserted-Identity');
    if (!pai) return undefined;
    try {
      const uri = parseNameAddr(pai).uri;
      if (!uri.user) return undefined;
      return { user: uri.user.toLowerCase(), domain: uri.host.toLowerCase() };
    } catch {
      return undefined;
    }
  }

  /** The flow bindings registered through the edge live on (it outlives TCP connections). */
  flow(): Flow {
    return this.flowTo(this.config.sip);
  }
}
