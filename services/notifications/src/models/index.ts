// notifications has no Objection model: every table is better served by plain SQL.
// - recipients, events, ticket_types, orders, order_tickets: projections of other services'
//   events, each written by one conditional upsert per event (facts newer than the row's) and
//   read by id (src/projections, src/messages/message-facts.ts).
// - messages: inserted once per cause (`ON CONFLICT DO NOTHING`), claimed with `FOR UPDATE SKIP
//   LOCKED` and updated by id (src/messages, src/delivery, src/reminders).
// - outbox, processed_events: the shared kit's (shared/src/events), the same in every service.
export {};
