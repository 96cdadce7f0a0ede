import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Faults, RequestRecord, StandInConfig } from './config.js';
import { datanodeHandler } from './datanode.js';
import { namenodeHandler } from './namenode.js';
import { Namespace } from './namespace.js';

export type { DatanodeFault, Faults, NamenodeFault, RequestRecord, StandInConfig } from './config.js';
export { Namespace } from './namespace.js';

/**
 * A WebHDFS STAND-IN, not Hadoop: two real HTTP servers on loopback over a temporary
 * directory. The "namenode" answers metadata operations and 307-redirects OPEN, CREATE and
 * APPEND to the separate "datanode" port, with the JSON shapes and RemoteException errors of
 * Hadoop's WebHDFS REST API page. Fault switches make the datanode hang, cut data short,
 * lie about what it stored or fail, and the namenode throw chosen exceptions.
 */
export interface WebHdfsStandIn {
  /** The namenode's base URL, e.g. http://127.0.0.1:40123 (WebHDFS paths are under /webhdfs/v1). */
  readonly url: string;
  readonly namenodePort: number;
  readonly datanodePort: number;
  /** The temporary directory that is HDFS '/'. */
  readonly dir: string;
  readonly ns: Namespace;
  readonly config: StandInConfig;
  /** Fault switches; change them between (not during) calls, `resetFaults()` afterwards. */
  readonly faults: Faults;
  /** Every request the two servers got, in order. */
  readonly requests: RequestRecord[];
  /** File bytes the datanode has received so far. */
  datanodeBytesIn(): number;
  /** Let a 'hold-read' datanode send the rest. */
  release(): void;
  resetFaults(): void;
  close(): Promise<void>;
}

function noFaults(): Faults {
  return { datanode: 'none', bytes: 0, namenodeError: null, namenodeHang: null, namenodeHook: null };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

export async function startWebHdfsStandIn(options: Partial<StandInConfig> = {}): Promise<WebHdfsStandIn> {
  const config: StandInConfig = {
    superuser: 'hdfs',
    supergroup: 'supergroup',
    groups: {},
    tokens: {},
    defaultUser: 'dr.who',
    batchSize: 1000,
    listStatusBatch: true,
    renameOptions: true,
    csrfHeader: null,
    advertisedDatanodeHost: '127.0.0.1',
    ...options,
  };
  const dir = await mkdtemp(join(tmpdir(), 'webhdfs-standin-'));
  const ns = new Namespace(dir, config.superuser, config.supergroup, config.groups);
  const faults = noFaults();
  const requests: RequestRecord[] = [];
  const received = { bytes: 0 };
  let ports = { namenode: 0, datanode: 0 };
  let releaseHold: () => void = () => undefined;
  let hold = new Promise<void>((r) => (releaseHold = r));

  const namenode = createServer(namenodeHandler({ ns, config, faults, requests, ports: () => ports }));
  const datanode = createServer(datanodeHandler({ ns, config, faults, requests, ports: () => ports, received, held: () => hold }));
  ports = { namenode: await listen(namenode), datanode: await listen(datanode) };

  return {
    url: `http://127.0.0.1:${ports.namenode}`,
    namenodePort: ports.namenode,
    datanodePort: ports.datanode,
    dir,
    ns,
    config,
    faults,
    requests,
    datanodeBytesIn: () => received.bytes,
    release: () => {
      releaseHold();
      hold = new Promise<void>((r) => (releaseHold = r));
    },
    resetFaults: () => {
      Object.assign(faults, noFaults());
      releaseHold();
      hold = new Promise<void>((r) => (releaseHold = r));
    },
    close: async () => {
      releaseHold();
      for (const s of [namenode, datanode]) {
        s.closeAllConnections();
        await new Promise<void>((r) => s.close(() => r()));
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
