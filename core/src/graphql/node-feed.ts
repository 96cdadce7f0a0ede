import type { Logger } from 'pino';
import type { NodeRegistry, NodeStatus } from '../scheduler/node-registry.js';
import { EventQueue } from './event-queue.js';

export type NodeChangeKind = 'CURRENT' | 'JOINED' | 'CHANGED' | 'DOWN' | 'UP';

export interface NodeStatusChange {
  readonly change: NodeChangeKind;
  readonly node: NodeStatus;
}

const BACKLOG = 1_000;

/** What changed between two looks at a node, if anything worth telling. */
function compare(before: NodeStatus | undefined, now: NodeStatus): NodeChangeKind | null {
  if (!before) return 'JOINED';
  if (before.alive && !now.alive) return 'DOWN';
  if (!before.alive && now.alive) return 'UP';
  if (before.runningJobs !== now.runningJobs || before.maxConcurrentJobs !== now.maxConcurrentJobs || before.roles.join() !== now.roles.join()) {
    return 'CHANGED';
  }
  return null;
}

/**
 * nodeStatus events. Nodes report through heartbeats in the database (there is no event to
 * listen to), so while anyone subscribes this reads the node table once per heartbeat interval
 * and sends what changed; plain heartbeats are not sent.
 */
export class NodeStatusFeed {
  private readonly queues = new Set<EventQueue<NodeStatusChange>>();
  private timer: NodeJS.Timeout | null = null;
  private last = new Map<string, NodeStatus>();
  private polling = false;

  constructor(
    private readonly nodes: NodeRegistry,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /** Starts with every known node as CURRENT, then its changes. */
  async subscribe(): Promise<AsyncIterableIterator<NodeStatusChange>> {
    const queue: EventQueue<NodeStatusChange> = new EventQueue(BACKLOG, () => {
      this.queues.delete(queue);
      if (this.queues.size === 0) this.stop();
    });
    const now = await this.nodes.list();
    for (const node of now) queue.push({ change: 'CURRENT', node });
    if (this.queues.size === 0) this.last = new Map(now.map((n) => [n.id, n]));
    this.queues.add(queue);
    if (!this.timer) {
      this.timer = setInterval(() => void this.poll(), this.intervalMs);
      this.timer.unref();
    }
    return queue;
  }

  close(): void {
    for (const q of [...this.queues]) void q.return();
    this.stop();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async poll(): Promise<void> {
    if (this.polling) return; // a slow database must not pile reads up
    this.polling = true;
    try {
      const now = await this.nodes.list();
      const changes: NodeStatusChange[] = [];
      for (const node of now) {
        const change = compare(this.last.get(node.id), node);
        if (change) changes.push({ change, node });
      }
      this.last = new Map(now.map((n) => [n.id, n]));
      for (const q of this.queues) for (const c of changes) q.push(c);
    } catch (err) {
      this.log.warn({ err }, 'nodeStatus: could not read the nodes');
    } finally {
      this.polling = false;
    }
  }
}
