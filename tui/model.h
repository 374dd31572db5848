/*
 * What the user can see, as the client knows it: the account, its
 * workspaces and their people, and the activity feed built from events.
 * Filled from replies (WHOAMI, MEMBERS) and kept current by events, pushed
 * or from SYNC. No curses: views draw it, unit tests poke it.
 *
 * Strings are kept exactly as the server sent them; views sanitise them
 * (text_sanitize) on the way to the terminal.
 *
 * Every change sets dirty bits saying which parts of the screen show it,
 * so the screen redraws only those.
 */
#ifndef AGORA_MODEL_H
#define AGORA_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define DIRTY_HEADER	0x01
#define DIRTY_SIDEBAR	0x02
#define DIRTY_MAIN	0x04
#define DIRTY_STATUS	0x08
#define DIRTY_ALL	0x0f

/* Older activity is dropped beyond this many entries. */
#define MODEL_ACTIVITY_MAX 10000

struct member {
	int64_t	 user;
	char	*name;
	char	*email;
	char	*role;
};

struct workspace {
	int64_t		 id;
	char		*name;
	char		*role;		/* the user's role in it */
	char		*plan;
	struct member	*members;	/* by name, ignoring case */
	size_t		 nmembers;
	int		 loaded;	/* members came from MEMBERS */
};

/* Someone in a space, as SPACE.SHOW lists them. */
struct participant {
	int64_t	 user;
	char	*name;
	char	*email;
	char	*company;
	char	*job_title;
	char	*role;		/* owner, internal, external */
	char	*status;	/* pending, active, requested, revoked */
	int64_t	 invited;	/* Unix times; 0: never */
	int64_t	 active;
	int	 overdue;	/* pending 7 days or more */
};

/* A file of a space, as FILE.LIST lists them. */
struct file_entry {
	int64_t	 id;
	char	*name;
	char	*uploader;	/* the uploader's name */
	int64_t	 size;
	long	 comments;
	int64_t	 created;	/* Unix time */
};

struct space {
	int64_t			 id;
	int64_t			 workspace;
	char			*title;
	char			*description;
	char			*role;		/* the user's */
	int			 archived;
	int			 externals_invite;
	long			 people;	/* active or pending */
	long			 pending;
	long			 overdue;
	long			 requests;
	struct participant	*people_list;	/* from SPACE.SHOW */
	size_t			 npeople;
	int			 loaded;	/* people_list is current */
	struct file_entry	*files;		/* from FILE.LIST */
	size_t			 nfiles;
	int			 files_loaded;	/* files is current */
	char			*warning;	/* SPACE.SHOW's, or NULL */
};

struct activity {
	int64_t	 seq;
	char	*type;
	char	*text;		/* one line for the feed, raw */
};

struct model {
	int64_t			 user;	/* 0 until WHOAMI */
	char			*email;
	char			*name;
	struct workspace	*ws;	/* by name, as WHOAMI sends them */
	size_t			 nws;
	size_t			 cur;	/* current workspace; nws when none */
	struct space		*spaces;	/* by title, ignoring case */
	size_t			 nspaces;
	int			 spaces_stale;	/* ask SPACE.LIST again */
	struct activity		*act;	/* oldest first */
	size_t			 nact;
	int64_t			 seq;	/* highest event seq processed */
	int			 stale;	/* the user's workspaces changed: ask
					   WHOAMI again */
	unsigned		 dirty;
};

void model_init(struct model *);
void model_free(struct model *);

/*
 * The data lines of a WHOAMI reply ("tag USER ...", "tag WORKSPACE ...").
 * Keeps the current workspace (by id) when it is still there, and the
 * members already loaded for workspaces that remain. 0, or -1 if a line
 * does not parse (nothing is changed then).
 */
int model_whoami(struct model *, char *const *lines, size_t n);
/* The data lines of MEMBERS for workspace id; 0 or -1 as above. */
int model_members(struct model *, int64_t ws, char *const *lines, size_t n);
/*
 * One event line ("* EVENT seq=..." pushed, or "tag EVENT ..." from SYNC).
 * Returns 1 if applied, 0 if already processed (seq <= model->seq), -1 if
 * malformed. Unknown types still show in the activity feed.
 */
int model_event(struct model *, const char *line);

/* The data lines of SPACE.LIST: replaces the list, keeping what was
   loaded of spaces still there. 0, or -1 if a line does not parse. */
int model_spaces(struct model *, char *const *lines, size_t n);
/* A SPACE.SHOW reply: its data lines and the final line's warning. */
int model_space_show(struct model *, char *const *lines, size_t n,
    const char *warning);
/* The data lines of FILE.LIST for space id; 0 or -1 as above. */
int model_files(struct model *, int64_t space, char *const *lines, size_t n);
/* The space with this id, or NULL. */
struct space *model_space(struct model *, int64_t id);

/* The current workspace, or NULL. */
struct workspace *model_workspace(struct model *);
/* Makes workspace i current. */
void model_select(struct model *, size_t i);
/* The index of the workspace called name (exactly), or nws. */
size_t model_find_workspace(const struct model *, const char *name);

#endif
