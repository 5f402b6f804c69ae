import type { RuntimeAccess, ServiceRuntime } from '@ticketpro/shared';

/** What a started reporting instance works with: the kit's runtime, nothing more. */
export type ReportingRuntime = ServiceRuntime;

export type ReportingAccess = RuntimeAccess<ReportingRuntime>;
