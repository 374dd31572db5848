/*
 * The event bus. A thread LISTENs on the agora_events channel over its own
 * database connection; on each NOTIFY (and after every reconnect, so
 * nothing is lost while PostgreSQL was away) it reads the new rows of the
 * events table in seq order and hands them to the loop, which pushes
 * `* EVENT` lines to the connections allowed to see them.
 */
#ifndef AGORA_BUS_H
#define AGORA_BUS_H

int bus_start(const char *conninfo, char **cause);
void bus_stop(void);

#endif
