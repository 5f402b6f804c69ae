-- Runs once, when the postgres volume is still empty (docker-entrypoint-initdb.d).
-- One database for TicketPro; each service creates and migrates its own schema in it
-- (identity, catalog, ordering, ticketing, notifications, reporting) on start, so the role must own the database.
-- Example password, matching DATABASE_URL in docker-compose.yml: change both together.
CREATE ROLE ticketpro LOGIN PASSWORD 'ticketpro';
CREATE DATABASE ticketpro OWNER ticketpro;
