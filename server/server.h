/*
 * `agorad serve`: the listener, signals, and the loop that ties
 * connections, database workers and the event bus together.
 */
#ifndef AGORA_SERVER_H
#define AGORA_SERVER_H

struct config;

int server_run(const char *config_path, struct config *);
/* The configuration in force (reloaded by SIGHUP). Loop thread only:
 * handlers copy what their database job needs. */
const struct config *server_config(void);

#endif
