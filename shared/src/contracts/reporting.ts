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
import { defineContract, timedRead } from './define';

/** Dashboards, analytics and exports from a read model fed by every service's events. */
export const reportingContract = defineContract({
  service: 'reporting',
  actions: {
    'dashboard.get': timedRead(PeriodQuery, DashboardSchema),
    'sales.get': timedRead(PeriodQuery, SalesAnalyticsSchema),
    'events.list': timedRead(ListEventAnalyticsQuery, EventAnalyticsPage),
    'events.get': timedRead(IdParams, EventAnalyticsDetailSchema),
    'exports.orders': timedRead(ExportSliceParams, CsvSlice),
    'exports.attendees': timedRead(ExportSliceParams, CsvSlice),
  },
  events: {},
});
