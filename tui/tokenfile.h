/*
 * The session token, kept between runs in $XDG_STATE_HOME/agora/session
 * with mode 0600. A token file that other users could read may have been
 * copied: the client refuses it rather than use a stolen session.
 */
#ifndef AGORA_TOKENFILE_H
#define AGORA_TOKENFILE_H

/*
 * 0 with *token (caller frees with freezero_str); 1 if there is no file;
 * -1 with *cause if the file is unsafe (group/other permissions, another
 * owner, a symbolic link, not a regular file) or malformed.
 */
int tokenfile_load(const char *path, char **token, char **cause);
/* Writes atomically (temp file, fsync, rename), mode 0600. */
int tokenfile_save(const char *path, const char *token, char **cause);
/* 0, also if there was none. */
int tokenfile_remove(const char *path);

#endif
