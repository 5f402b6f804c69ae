// reporting has no Objection model: every table is better served by plain SQL.
// - users, events, ticket_types, orders, partial_refunds, tickets: projections of other services'
//   events, each written by one conditional upsert per event (facts newer than the row's), and
//   read only by aggregate queries (src/analytics) and keyset slices (src/exports).
// - projection_clock: one row, moved forward with each event (src/projections/clock.ts).
// - outbox, processed_events: the shared kit's (shared/src/events), the same in every service.
export {};
