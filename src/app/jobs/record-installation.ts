import type { InstallationRecord } from '../../core/records.js';
import type { JobContext, JobResult, Payload } from './job.js';

/** `installation` and `installation_repositories`: who installed the app where, and when it changed. */
export async function recordInstallation(ctx: JobContext): Promise<JobResult> {
  const p = ctx.payload;
  const names = (list: Payload[] | undefined) => (list ?? []).map((r) => String(r['full_name']));
  const data: InstallationRecord = {
    action: `${ctx.event}.${p['action']}`,
    installationId: Number(p['installation']?.['id']),
    account: p['installation']?.['account']?.['login'] ?? null,
    repositoriesAdded: names(p['repositories_added'] ?? (p['action'] === 'created' ? p['repositories'] : undefined)),
    repositoriesRemoved: names(p['repositories_removed']),
    trigger: ctx.trigger,
  };
  return { entries: [{ kind: 'installation', repo: null, subject: `installation/${data.installationId}`, data }] };
}
