import type { JobDetail } from '../../api/types';
import { PhaseBadge, formatDuration, formatTime } from '../../components/ui';

/** The job's phase history as an ordered list, with the time spent in each phase. */
export function Timeline({ job }: { job: JobDetail }) {
  const history = job.history ?? [];
  if (history.length === 0) return <p className="muted">No phase changes recorded.</p>;
  return (
    <ol className="timeline">
      {history.map((h, i) => {
        const next = history[i + 1];
        const spent = next ? new Date(next.at).getTime() - new Date(h.at).getTime() : null;
        return (
          <li key={`${h.phase}-${h.at}-${i}`}>
            <PhaseBadge phase={h.phase} />
            <time dateTime={h.at}>{formatTime(h.at)}</time>
            {spent !== null && <span className="muted small"> · {formatDuration(spent)}</span>}
            {h.reason && <div className="small muted">{h.reason}</div>}
          </li>
        );
      })}
    </ol>
  );
}
