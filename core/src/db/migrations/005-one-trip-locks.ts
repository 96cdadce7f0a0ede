import type { Knex } from 'knex';

/*
 * The two places where jobs take a lock — an owner's queued-jobs limit and the scheduler's
 * claim — each cost a transaction of four or five round trips (BEGIN, lock, query, write,
 * COMMIT), with the lock held across all of them. Under load each round trip waits for a busy
 * event loop, so every create of one owner, and every claim, queued behind the previous one.
 * These functions take the lock and read with a snapshot taken after it was granted (a VOLATILE
 * plpgsql function takes a new snapshot per statement under READ COMMITTED), so one statement,
 * sent in one round trip and committed at once, does what the transaction did.
 */

/** Stripes of an owner's queue lock: creates of one owner that may run at once. */
export const QUEUE_STRIPES = 8;

export async function up(knex: Knex): Promise<void> {
  // An owner's queued-jobs limit. Callers insert or queue a job in the same statement only when
  // the count returned is below the limit; the lock taken here is held until that commits.
  //
  // The lock is striped, so one owner's creates do not wait for each other: a create takes any
  // one of QUEUE_STRIPES advisory locks of the owner and counts. Every insert not visible in
  // that count belongs to a create holding another stripe, so at most QUEUE_STRIPES - 1 are
  // missed, and `count + QUEUE_STRIPES <= limit` proves there is room. Nearer the limit the
  // function answers -1 and the caller asks again with p_exclusive, which takes every stripe in
  // order (no create then holds one, so the count is exact). A create holds at most one stripe
  // while it waits, and exclusive ones take them in order, so the locks cannot deadlock.
  await knex.raw(`
    CREATE FUNCTION vocloud_lock_queue(p_owner text, p_max bigint, p_exclusive boolean) RETURNS bigint
    LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      stripes constant int := ${QUEUE_STRIPES};
      v_key int := hashtext('vocloud:queue:' || coalesce(p_owner, ''));
      v_start int := floor(random() * stripes)::int;
      v_locked boolean := false;
      n bigint;
    BEGIN
      IF p_exclusive THEN
        FOR i IN 0 .. stripes - 1 LOOP
          PERFORM pg_advisory_xact_lock(v_key, i);
        END LOOP;
      ELSE
        FOR i IN 0 .. stripes - 1 LOOP
          IF pg_try_advisory_xact_lock(v_key, (v_start + i) % stripes) THEN
            v_locked := true;
            EXIT;
          END IF;
        END LOOP;
        IF NOT v_locked THEN
          PERFORM pg_advisory_xact_lock(v_key, v_start);
        END IF;
      END IF;
      -- (a new snapshot: it sees every create that released its stripe before this one got it)
      IF p_owner IS NULL THEN
        SELECT count(*) INTO n FROM (SELECT 1 FROM jobs WHERE phase = 'QUEUED' AND owner_id IS NULL LIMIT p_max) q;
      ELSE
        SELECT count(*) INTO n FROM (SELECT 1 FROM jobs WHERE phase = 'QUEUED' AND owner_id = p_owner LIMIT p_max) q;
      END IF;
      IF NOT p_exclusive AND n + stripes > p_max THEN
        RETURN -1;
      END IF;
      RETURN n;
    END $fn$`);

  // Claim up to p_limit QUEUED jobs of the given types for a node, under the cluster-wide claim
  // lock (so owners' running counts are exact), and return each as JSON with its parameters.
  await knex.raw(`
    CREATE FUNCTION vocloud_claim(p_node text, p_types text[], p_caps jsonb, p_limit int,
                                  p_anonymous_running int, p_user_running int, p_reason text)
    RETURNS TABLE (claimed_job json, claimed_parameters json)
    LANGUAGE plpgsql VOLATILE AS $fn$
    DECLARE
      claimed record;
      full_owners text[];
    BEGIN
      PERFORM pg_advisory_xact_lock(hashtext('vocloud:claim'));
      -- Owners with no free running slot ('' = anonymous): their queued jobs are passed over, so
      -- a long queue of one owner at their limit never hides another owner's jobs.
      SELECT coalesce(array_agg(r.owner), '{}') INTO full_owners
      FROM (SELECT coalesce(j.owner_id, '') AS owner, min(j.owner_id) AS owner_id, count(*) AS n
            FROM jobs j WHERE j.phase = 'EXECUTING' GROUP BY 1) r
      LEFT JOIN users u ON u.username = r.owner_id
      WHERE r.n >= CASE WHEN r.owner_id IS NULL THEN p_anonymous_running ELSE coalesce(u.max_running_jobs, p_user_running) END;
      FOR claimed IN
      WITH running AS (
        SELECT coalesce(j.owner_id, '') AS owner, count(*) AS n FROM jobs j WHERE j.phase = 'EXECUTING' GROUP BY 1
      ), eligible AS (
        -- the oldest queued jobs of owners with a free slot: an ordered scan of the partial index
        -- on queued_at that stops early however long the queue is. An owner with fewer free slots
        -- than jobs here gets their free slots and is full at the next claim, which then reaches
        -- the jobs behind theirs (the scheduler claims again while it has free slots).
        SELECT j.id, j.job_type, j.queued_at, j.owner_id FROM jobs j
        WHERE j.phase = 'QUEUED' AND j.job_type = ANY(p_types) AND coalesce(j.owner_id, '') <> ALL(full_owners)
        ORDER BY j.queued_at, j.id LIMIT 64
      ), ranked AS (
        SELECT e.id, e.job_type, e.queued_at,
               (CASE WHEN e.owner_id IS NULL THEN p_anonymous_running ELSE coalesce(u.max_running_jobs, p_user_running) END)
                 - coalesce(r.n, 0) AS free,
               row_number() OVER (PARTITION BY coalesce(e.owner_id, '') ORDER BY e.queued_at, e.id) AS owner_rank,
               row_number() OVER (PARTITION BY e.job_type ORDER BY e.queued_at, e.id) AS type_rank
        FROM eligible e LEFT JOIN users u ON u.username = e.owner_id
        LEFT JOIN running r ON r.owner = coalesce(e.owner_id, '')
      ), chosen AS (
        SELECT r.id FROM ranked r
        WHERE r.owner_rank <= r.free AND r.type_rank <= (p_caps ->> r.job_type)::int
        ORDER BY r.queued_at, r.id LIMIT p_limit
      ), locked AS (
        -- rows another transaction holds (an ABORT at this moment) are skipped
        SELECT j.id FROM jobs j WHERE j.id IN (SELECT c.id FROM chosen c) AND j.phase = 'QUEUED' FOR UPDATE SKIP LOCKED
      ), started AS (
        UPDATE jobs SET phase = 'EXECUTING', start_time = now(), node_id = p_node, attempts = jobs.attempts + 1,
          progress = NULL, progress_message = NULL
        FROM locked WHERE jobs.id = locked.id RETURNING jobs.*
      ), history AS (
        INSERT INTO job_phase_history (job_id, phase, at, reason) SELECT s.id, 'EXECUTING', now(), p_reason FROM started s
      )
      SELECT s.id, row_to_json(s)::json AS job,
        (SELECT coalesce(json_agg(json_build_object('name', p.name, 'value', p.value, 'byReference', p.by_reference,
           'filePath', p.file_path, 'fileSize', p.file_size) ORDER BY p.position), '[]'::json)
         FROM job_parameters p WHERE p.job_id = s.id) AS parameters
      FROM started s ORDER BY s.queued_at, s.id
      LOOP
        PERFORM pg_notify('vocloud_job', claimed.id || ' EXECUTING');
        claimed_job := claimed.job;
        claimed_parameters := claimed.parameters;
        RETURN NEXT;
      END LOOP;
    END $fn$`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP FUNCTION vocloud_claim(text, text[], jsonb, int, int, int, text)');
  await knex.raw('DROP FUNCTION vocloud_lock_queue(text, bigint, boolean)');
}
