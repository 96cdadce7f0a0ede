import objection from 'objection';

const { Model } = objection;

/**
 * objection models of the tables. Each store binds them to its own knex instance
 * (`Model.bindKnex`), so several servers can live in one process (tests, two-node runs).
 */
export class JobRow extends Model {
  static override tableName = 'jobs';
  static override idColumn = 'id';
  id!: string;
  job_type!: string;
  run_id!: string | null;
  owner_id!: string | null;
  phase!: string;
  quote!: Date | null;
  creation_time!: Date;
  start_time!: Date | null;
  end_time!: Date | null;
  execution_duration!: number;
  destruction!: Date | null;
  error_type!: string | null;
  error_message!: string | null;
  error_detail!: string | null;
  progress!: number | null;
  progress_message!: string | null;
  queued_at!: Date | null;
  node_id!: string | null;
  attempts!: number;
  target_dir!: string | null;
  parameters?: JobParameterRow[];
  results?: JobResultRow[];

  static override get relationMappings() {
    return {
      parameters: {
        relation: Model.HasManyRelation,
        modelClass: JobParameterRow,
        join: { from: 'jobs.id', to: 'job_parameters.job_id' },
      },
      results: {
        relation: Model.HasManyRelation,
        modelClass: JobResultRow,
        join: { from: 'jobs.id', to: 'job_results.job_id' },
      },
      history: {
        relation: Model.HasManyRelation,
        modelClass: PhaseHistoryRow,
        join: { from: 'jobs.id', to: 'job_phase_history.job_id' },
      },
    };
  }
}

export class JobParameterRow extends Model {
  static override tableName = 'job_parameters';
  static override idColumn = ['job_id', 'position'];
  job_id!: string;
  position!: number;
  name!: string;
  value!: string;
  by_reference!: boolean;
  file_path!: string | null;
  file_size!: number | null;
}

export class JobResultRow extends Model {
  static override tableName = 'job_results';
  static override idColumn = ['job_id', 'name'];
  job_id!: string;
  name!: string;
  storage_path!: string;
  mime_type!: string;
  size!: number;
  created_at!: Date;
  position!: number;
}

export class PhaseHistoryRow extends Model {
  static override tableName = 'job_phase_history';
  id!: number;
  job_id!: string;
  phase!: string;
  at!: Date;
  reason!: string | null;
}

export class NodeRow extends Model {
  static override tableName = 'nodes';
  id!: string;
  name!: string;
  hostname!: string;
  pid!: number;
  roles!: string;
  max_concurrent_jobs!: number;
  running_jobs!: number;
  started_at!: Date;
  heartbeat_at!: Date;
  stopped_at!: Date | null;
}
