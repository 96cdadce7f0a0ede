import { inject, injectable } from 'tsyringe';
import type { Knex } from 'knex';
import { TOKENS } from '../tokens.js';
import type { Database } from '../db/database.js';
import type { Actor } from '../uws/model.js';

export interface AuditEntry {
  readonly id: number;
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  readonly targetType: string;
  readonly targetId: string | null;
  readonly before: unknown;
  readonly after: unknown;
}

export interface AuditFilter {
  readonly actor?: string;
  readonly action?: string;
  readonly targetType?: string;
  readonly targetId?: string;
  readonly since?: Date;
  readonly limit: number;
  readonly offset: number;
}

export function actorName(actor: Actor | string): string {
  return typeof actor === 'string' ? actor : (actor.ownerId ?? 'anonymous');
}

/** Who changed what, when, and how it looked before and after. Written by every admin change. */
@injectable()
export class AuditLog {
  private readonly knex: Knex;
  constructor(@inject(TOKENS.Database) db: Database) {
    this.knex = db.knex;
  }

  async record(actor: Actor | string, action: string, targetType: string, targetId: string | null, before: unknown, after: unknown, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.knex)('audit_log').insert({
      at: (trx ?? this.knex).fn.now(),
      actor: actorName(actor),
      action,
      target_type: targetType,
      target_id: targetId,
      before: before === undefined ? null : JSON.stringify(before),
      after: after === undefined ? null : JSON.stringify(after),
    });
  }

  async list(filter: AuditFilter): Promise<{ entries: AuditEntry[]; total: number }> {
    const q = this.knex('audit_log');
    if (filter.actor) q.where('actor', filter.actor);
    if (filter.action) q.where('action', filter.action);
    if (filter.targetType) q.where('target_type', filter.targetType);
    if (filter.targetId) q.where('target_id', filter.targetId);
    if (filter.since) q.where('at', '>=', filter.since);
    const [{ n }] = (await q.clone().count('* as n')) as [{ n: string | number }];
    const rows = (await q.select('*').orderBy('id', 'desc').limit(filter.limit).offset(filter.offset)) as Record<string, unknown>[];
    const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    return {
      total: Number(n),
      entries: rows.map((r) => ({
        id: Number(r.id),
        at: new Date(r.at as string),
        actor: r.actor as string,
        action: r.action as string,
        targetType: r.target_type as string,
        targetId: (r.target_id as string | null) ?? null,
        before: parse(r.before),
        after: parse(r.after),
      })),
    };
  }
}
