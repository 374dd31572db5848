/*
 * Where the client keeps its files: configuration and known_hosts under
 * $XDG_CONFIG_HOME/agora (default ~/.config/agora), the session token
 * under $XDG_STATE_HOME/agora (default ~/.local/state/agora).
 */
#ifndef AGORA_PATHS_H
#define AGORA_PATHS_H

/* "$XDG_CONFIG_HOME/agora/<name>" or under $HOME; NULL if neither is set. */
char *paths_config(const char *name);
char *paths_state(const char *name);
/* Creates the directory holding path (and its parents) with mode 0700. */
int paths_mkdir_for(const char *path, char **cause);

#endif
