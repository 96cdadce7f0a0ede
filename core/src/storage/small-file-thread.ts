import { parentPort } from 'node:worker_threads';
import { writeSmallFileSync } from './small-file.js';
import type { SmallWriteReply, SmallWriteRequest } from './small-file-writer.js';

/* The writer thread of small-file-writer.ts: one small atomic write per message, in order. */
parentPort!.on('message', (m: SmallWriteRequest) => {
  let reply: SmallWriteReply;
  try {
    reply = { id: m.id, outcome: writeSmallFileSync(m.tmp, m.full, m.body, m.noReplace) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    reply = { id: m.id, error: { message: e.message, ...(e.code ? { code: e.code } : {}) } };
  }
  parentPort!.postMessage(reply);
});
