import { inject, injectable } from 'tsyringe';
import client from 'prom-client';
import { JobStore } from '../uws/job-store.js';
import { JobEvents } from '../uws/job-events.js';
import { PHASES, type Job } from '../uws/model.js';

/**
 * Prometheus metrics of one server instance (its own registry, so several servers can share a
 * process in tests). Job counts by phase come from the database at scrape time, so every node
 * reports the same cluster-wide numbers; timings are this node's.
 */
@injectable()
export class Metrics {
  readonly registry = new client.Registry();
  private readonly queueWait: client.Histogram<'job_type'>;
  private readonly duration: client.Histogram<'job_type' | 'phase'>;
  private readonly running: client.Gauge<'job_type'>;
  readonly httpDuration: client.Histogram<'method' | 'route' | 'status'>;

  constructor(
    @inject(JobStore) store: JobStore,
    @inject(JobEvents) events: JobEvents,
  ) {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry, prefix: 'vocloud_' });
    new client.Gauge({
      name: 'vocloud_jobs',
      help: 'Jobs in the database by job type and UWS phase (cluster-wide)',
      labelNames: ['job_type', 'phase'],
      registers,
      async collect() {
        this.reset();
        for (const [type, phases] of await store.countsByPhase()) {
          for (const phase of PHASES) this.set({ job_type: type, phase }, phases.get(phase) ?? 0);
        }
      },
    });
    new client.Gauge({
      name: 'vocloud_wait_requests',
      help: 'WAIT requests and other listeners parked on job changes on this node',
      registers,
      collect() {
        this.set(events.waiting);
      },
    });
    this.running = new client.Gauge({ name: 'vocloud_jobs_running', help: 'Jobs running on this node', labelNames: ['job_type'], registers });
    this.queueWait = new client.Histogram({
      name: 'vocloud_job_queue_wait_seconds',
      help: 'Time from QUEUED to EXECUTING',
      labelNames: ['job_type'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600, 3600],
      registers,
    });
    this.duration = new client.Histogram({
      name: 'vocloud_job_duration_seconds',
      help: 'Time from EXECUTING to the end, by final phase',
      labelNames: ['job_type', 'phase'],
      buckets: [0.01, 0.1, 1, 10, 60, 300, 1800, 3600, 6 * 3600, 86400],
      registers,
    });
    this.httpDuration = new client.Histogram({
      name: 'vocloud_http_request_duration_seconds',
      help: 'HTTP request durations by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60],
      registers,
    });
  }

  jobStarted(job: Job): void {
    this.running.inc({ job_type: job.jobType });
    if (job.queuedAt && job.startTime) {
      this.queueWait.observe({ job_type: job.jobType }, Math.max(0, (job.startTime.getTime() - job.queuedAt.getTime()) / 1000));
    }
  }

  /** The job's thread is done on this node, whatever its phase. */
  jobStopped(job: Job): void {
    this.running.dec({ job_type: job.jobType });
  }

  jobEnded(job: Job): void {
    if (job.startTime && job.endTime) {
      this.duration.observe({ job_type: job.jobType, phase: job.phase }, Math.max(0, (job.endTime.getTime() - job.startTime.getTime()) / 1000));
    }
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
