/** How the stand-in behaves; every field has a default in `startWebHdfsStandIn`. */
export interface StandInConfig {
  /** The HDFS superuser (passes every permission check). Default 'hdfs'. */
  superuser: string;
  supergroup: string;
  /** Group memberships: user → groups. */
  groups: Record<string, string[]>;
  /** Delegation tokens this "cluster" issued: token → user. */
  tokens: Record<string, string>;
  /** The user of requests without user.name or delegation (Hadoop's static web user); null = 401. */
  defaultUser: string | null;
  /** Entries per LISTSTATUS_BATCH answer (dfs.ls.limit). */
  batchSize: number;
  /** false: behave as Hadoop before 2.8, which does not know LISTSTATUS_BATCH. */
  listStatusBatch: boolean;
  /** false: ignore renameoptions and always run the old rename, as HttpFS does. */
  renameOptions: boolean;
  /** When set, PUT/POST/DELETE must carry this header (dfs.webhdfs.rest-csrf.enabled). */
  csrfHeader: string | null;
  /** Host put into datanode redirects (a cluster-internal name, to test datanodeHosts). */
  advertisedDatanodeHost: string;
}

/** What the datanode does wrong, for fault tests. `bytes` parametrises the partial modes. */
export type DatanodeFault =
  | 'none'
  /** Accept the request and never answer. */
  | 'hang'
  /** OPEN: send the headers and `bytes` bytes, then nothing more (connection kept open). */
  | 'stall-read'
  /** OPEN: promise the full Content-Length, send `bytes` bytes, close the connection. */
  | 'truncate'
  /** OPEN: a chunked body that ends cleanly after `bytes` bytes. */
  | 'short-chunked'
  /** OPEN: a chunked body with `bytes` bytes more than asked for. */
  | 'long-chunked'
  /** OPEN: send `bytes` bytes, then wait for `release()` before sending the rest. */
  | 'hold-read'
  /** Any datanode operation: 500 with a RemoteException. */
  | 'error-500'
  /** CREATE/APPEND: stop reading the upload and never answer. */
  | 'stop-reading'
  /** CREATE: keep only the first `bytes` bytes but answer 201 Created. */
  | 'short-write';

export interface NamenodeFault {
  /** The operation to fail ('*' for all). */
  op: string;
  status: number;
  exception: string;
  javaClassName: string;
  message: string;
}

export interface Faults {
  datanode: DatanodeFault;
  bytes: number;
  /** Answer this namenode operation with a RemoteException. */
  namenodeError: NamenodeFault | null;
  /** Never answer this namenode operation ('*' for all). */
  namenodeHang: string | null;
  /** Run once, before the namenode handles this operation (to change the namespace at that moment). */
  namenodeHook: { op: string; run: () => Promise<void> } | null;
}

/** One request as the stand-in saw it. */
export interface RequestRecord {
  server: 'namenode' | 'datanode';
  method: string;
  op: string;
  path: string;
  /** Body bytes received (a namenode must never get file data). */
  bodyBytes: number;
}
