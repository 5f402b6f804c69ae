import { IdParams } from '../schemas/common';
import {
  CsvSlice,
  DashboardSchema,
  EventAnalyticsDetailSchema,
  EventAnalyticsPage,
  ExportSliceParams,
  ListEventAnalyticsQuery,
  PeriodQuery,
  SalesAnalyticsSchema,
} from '../schemas/reporting';
import { defineContract, read } from './define';
import { READ_TIMEOUT_MS } from './timeouts';

/** Dashboards, analytics and exports from a read model fed by every service's events. */
export const reportingContract = defineContract({
  service: 'reporting',
  actions: {
    'dashboard.get': read(PeriodQuery, DashboardSchema, { timeoutMs: READ_TIMEOUT_MS }),
    'sales.get': read(PeriodQuery, SalesAnalyticsSchema, { timeoutMs: READ_TIMEOUT_MS }),
    'events.list': read(ListEventAnalyticsQuery, EventAnalyticsPage, { timeoutMs: READ_TIMEOUT_MS }),
    'events.get': read(IdParams, EventAnalyticsDetailSchema, { timeoutMs: READ_TIMEOUT_MS }),
    'exports.orders': read(ExportSliceParams, CsvSlice, { timeoutMs: READ_TIMEOUT_MS }),
    'exports.attendees': read(ExportSliceParams, CsvSlice, { timeoutMs: READ_TIMEOUT_MS }),
  },
  events: {},
});
