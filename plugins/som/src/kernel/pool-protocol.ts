/** Messages between the kernel pool and its worker threads. */

export type SharedArray = Float32Array | Float64Array | Int32Array;

export type Task =
  | { op: 'bmu'; n0: number; n1: number; d: number; k: number }
  | { op: 'accumulate'; n: number; j0: number; j1: number; d: number; k: number }
  | { op: 'neighbour'; k0: number; k1: number; k: number; d: number }
  | { op: 'separable'; j0: number; j1: number; nx: number; ny: number; d: number; hx: Float64Array; hy: Float64Array }
  | { op: 'update'; j0: number; j1: number; k: number; d: number; source: 's' | 'num' }
  | { op: 'covmv'; n0: number; n1: number; d: number }
  | { op: 'online'; d: number; k: number; kind: number; cosine: boolean; order: Int32Array; sigma: Float64Array; alpha: Float64Array };

export type PoolMessage =
  | { type: 'bind'; arrays: Record<string, SharedArray | SharedArray[] | null> }
  | { type: 'task'; task: Task };

export type WorkerReply =
  | { type: 'ready'; label: string }
  | { type: 'bound' }
  | { type: 'done' }
  | { type: 'error'; message: string };
