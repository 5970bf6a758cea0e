/**
 * Per-tenant SIP trunks (migration 0010): where calls to external numbers go, whom calls from
 * outside come from, and the toll-fraud guard's limits.
 */
import type { Db } from './db';

export type TrunkTransport = 'udp' | 'tcp';

export interface TrunkConfig {
  readonly tenantId: string;
  readonly enabled: boolean;
  readonly transport: TrunkTransport;
  readonly host: string;
  readonly port: number;
  readonly username: string | null;
  readonly password: string | null;
  readonly fromDomain: string | null;
  /** E.164 prefixes external calls may start with (`+47`, `+4722`); empty: none allowed. */
  readonly allowedPrefixes: readonly string[];
  readonly callsPerMinute: number;
  /** Source addresses of the carrier's calls; empty means the trunk host. */
  readonly inboundAddresses: readonly string[];
}

/** What an admin may set; the password is kept when omitted, cleared with `null`. */
export type TrunkInput = Omit<TrunkConfig, 'tenantId' | 'password'> & {
  readonly password?: string | null;
};

interface TrunkRow {
  tenant_id: string;
  enabled: boolean;
  transport: TrunkTransport;
  host: string;
  port: number;
  username: string | null;
  password: string | null;
  from_domain: string | null;
  allowed_prefixes: string[];
  calls_per_minute: number;
  inbound_addresses: string[];
}

function toConfig(row: TrunkRow): TrunkConfig {
  return {
    tenantId: row.tenant_id,
    enabled: row.enabled,
    transport: row.transport,
    host: row.host,
    port: Number(row.port),
    username: row.username,
    password: row.password,
    fromDomain: row.from_domain,
    allowedPrefixes: row.allowed_prefixes ?? [],
    callsPerMinute: Number(row.calls_per_minute),
    inboundAddresses: row.inbound_addresses ?? [],
  };
}

export class TrunkRepository {
  constructor(private readonly db: Db) {}

  async all(): Promise<TrunkConfig[]> {
    return (await this.db.query<TrunkRow>(`SELECT * FROM trunks`)).map(toConfig);
  }

  async get(tenantId: string): Promise<TrunkConfig | null> {
    const [row] = await this.db.query<TrunkRow>(`SELECT * FROM trunks WHERE tenant_id = $1`, [
      tenantId,
    ]);
    return row ? toConfig(row) : null;
  }

  async save(tenantId: string, input: TrunkInput): Promise<TrunkConfig> {
    const keepPassword = input.password === undefined;
    const [row] = await this.db.query<TrunkRow>(
      `INSERT INTO trunks (tenant_id, enabled, transport, host, port, username, password,
         from_domain, allowed_prefixes, calls_per_minute, inbound_addresses)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (tenant_id) DO UPDATE SET
         enabled = EXCLUDED.enabled, transport = EXCLUDED.transport, host = EXCLUDED.host,
         port = EXCLUDED.port, username = EXCLUDED.username,
         password = CASE WHEN $12 THEN trunks.password ELSE EXCLUDED.password END,
         from_domain = EXCLUDED.from_domain, allowed_prefixes = EXCLUDED.allowed_prefixes,
         calls_per_minute = EXCLUDED.calls_per_minute,
         inbound_addresses = EXCLUDED.inbound_addresses, updated_at = now()
       RETURNING *`,
      [
        tenantId,
        input.enabled,
        input.transport,
        input.host,
        input.port,
        input.username,
        keepPassword ? null : input.password,
        input.fromDomain,
        [...input.allowedPrefixes],
        input.callsPerMinute,
        [...input.inboundAddresses],
        keepPassword,
      ],
    );
    if (!row) throw new Error('trunk upsert returned nothing');
    return toConfig(row);
  }

  async remove(tenantId: string): Promise<boolean> {
    const rows = await this.db.query(
      `DELETE FROM trunks WHERE tenant_id = $1 RETURNING tenant_id`,
      [tenantId],
    );
    return rows.length > 0;
  }
}
