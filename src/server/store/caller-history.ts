/**
 * A caller's history with the company (previous calls: when, in which queue, who answered,
 * to whom it was transferred, how it ended) from the call records, and the operators' notes
 * on the caller. Both by the caller's E.164 number; both deleted by the retention job.
 */
import type { Db } from './db';
import { StoreError } from './errors';

export interface PastCall {
  callId: string;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  outcome: string | null;
  queue: string | null;
  answeredBy: string | null;
  transferredTo: string | null;
  transferredBy: string | null;
  waitMs: number | null;
  talkMs: number | null;
}

export interface CallerNote {
  id: number;
  body: string;
  author: string | null;
  authorId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const MAX_NOTE = 2000;

function checkBody(body: string): string {
  const text = body.trim();
  if (text.length === 0) throw new StoreError('invalid', 'A note needs some text.', 'body');
  if (text.length > MAX_NOTE)
    throw new StoreError('invalid', `A note is at most ${MAX_NOTE} characters.`, 'body');
  return text;
}

export class CallerHistoryRepository {
  constructor(private readonly db: Db) {}

  /** Previous calls from `number`, newest first (one row per queue visit). */
  async calls(tenantId: string, number: string, limit = 20): Promise<PastCall[]> {
    const rows = await this.db.query<{
      call_id: string;
      started_at: Date;
      answered_at: Date | null;
      ended_at: Date | null;
      outcome: string | null;
      queue: string | null;
      answered_by: string | null;
      transferred_to: string | null;
      transferred_by: string | null;
      wait_ms: number | null;
      talk_ms: number | null;
    }>(
      `SELECT r.call_id, r.started_at, r.answered_at, r.ended_at, r.outcome, q.name AS queue,
              CASE WHEN r.answered_at IS NOT NULL THEN trim(a.first_name || ' ' || a.last_name) END AS answered_by,
              r.transferred_to, trim(t.first_name || ' ' || t.last_name) AS transferred_by,
              r.wait_ms, r.talk_ms
         FROM call_records r
         LEFT JOIN queues q ON q.id = r.queue_id
         LEFT JOIN users a ON a.id = r.user_id
         LEFT JOIN users t ON t.id = r.transferred_by
        WHERE r.tenant_id = $1 AND r.leg = 'inbound' AND r.caller_number = $2
        ORDER BY r.started_at DESC
        LIMIT $3`,
      [tenantId, number, limit],
    );
    return rows.map((r) => ({
      callId: r.call_id,
      startedAt: r.started_at,
      answeredAt: r.answered_at,
      endedAt: r.ended_at,
      outcome: r.outcome,
      queue: r.queue,
      answeredBy: r.answered_by,
      transferredTo: r.transferred_to,
      transferredBy: r.transferred_by,
      waitMs: r.wait_ms,
      talkMs: r.talk_ms,
    }));
  }

  async notes(tenantId: string, number: string): Promise<CallerNote[]> {
    const rows = await this.db.query<NoteRow>(
      `${SELECT_NOTE} WHERE n.tenant_id = $1 AND n.number = $2 ORDER BY n.created_at DESC, n.id DESC`,
      [tenantId, number],
    );
    return rows.map(toNote);
  }

  async addNote(
    tenantId: string,
    number: string,
    authorId: string,
    body: string,
  ): Promise<CallerNote> {
    const [row] = await this.db.query<{ id: string }>(
      `INSERT INTO caller_notes (tenant_id, number, body, author_id) VALUES ($1, $2, $3, $4) RETURNING id`,
      [tenantId, number, checkBody(body), authorId],
    );
    return this.#note(tenantId, Number(row?.id));
  }

  /** Edits a note of the tenant; null when there is no such note. */
  async updateNote(tenantId: string, id: number, body: string): Promise<CallerNote | null> {
    const rows = await this.db.query(
      `UPDATE caller_notes SET body = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2 RETURNING id`,
      [tenantId, id, checkBody(body)],
    );
    return rows.length > 0 ? this.#note(tenantId, id) : null;
  }

  async deleteNote(tenantId: string, id: number): Promise<boolean> {
    const rows = await this.db.query(
      `DELETE FROM caller_notes WHERE tenant_id = $1 AND id = $2 RETURNING id`,
      [tenantId, id],
    );
    return rows.length > 0;
  }

  /** The note's number (to tell operators whose card changed); null when there is none. */
  async noteNumber(tenantId: string, id: number): Promise<string | null> {
    const [row] = await this.db.query<{ number: string }>(
      `SELECT number FROM caller_notes WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return row?.number ?? null;
  }

  async #note(tenantId: string, id: number): Promise<CallerNote> {
    const [row] = await this.db.query<NoteRow>(
      `${SELECT_NOTE} WHERE n.tenant_id = $1 AND n.id = $2`,
      [tenantId, id],
    );
    if (!row) throw new StoreError('invalid', 'The note is gone.');
    return toNote(row);
  }
}

interface NoteRow {
  id: string;
  body: string;
  author: string | null;
  author_id: string | null;
  created_at: Date;
  updated_at: Date;
}

const SELECT_NOTE = `SELECT n.id, n.body, trim(u.first_name || ' ' || u.last_name) AS author, n.author_id,
       n.created_at, n.updated_at
  FROM caller_notes n LEFT JOIN users u ON u.id = n.author_id`;

function toNote(r: NoteRow): CallerNote {
  return {
    id: Number(r.id),
    body: r.body,
    author: r.author,
    authorId: r.author_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
