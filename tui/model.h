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

/*
 * Someone in a space, as SPACE.SHOW lists them: name, company and job
 * title as the space knows them; own_* the person's own where the space
 * set one of its own (NULL where it did not).
 */
struct participant {
	int64_t	 user;
	char	*name;
	char	*email;
	char	*company;
	char	*job_title;
	char	*own_name;
	char	*own_company;
	char	*own_job_title;
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
	int			 network;	/* a business network */
	long			 unread;	/* in its discussion */
};

/* A professional contact, as CONTACTS lists them. */
struct contact {
	int64_t	 user;
	char	*name;
	char	*email;
	char	*company;
	char	*job_title;
	int	 online;
	long	 networks;	/* in common */
	int	 always_add;	/* to every new space the user creates */
	int	 always_collaborator;
	long	 unread;	/* in the conversation with them */
	/* The seq of the event that last set online, or the prefs (0:
	   none): newer than a reply's mark, it wins over the reply. */
	int64_t	 online_seq;
	int64_t	 prefs_seq;
};

/* Whether CONTACTS has answered, and how. */
enum contacts_state {
	CONTACTS_UNKNOWN,	/* not asked yet, or asked again */
	CONTACTS_LOADED,
	CONTACTS_PLAN_REQUIRED	/* the user has no paid plan */
};

/* A network in common with a contact, from CONTACT.SHOW. */
struct common_network {
	int64_t	 space;
	char	*title;
};

/* Someone INVITE.CANDIDATES offers for a space. */
struct candidate {
	int64_t	 user;
	char	*name;
	char	*email;
	int	 contact;	/* a professional contact (listed first) */
};

/* A message of a conversation. */
struct message {
	int64_t	 id;
	int64_t	 from;
	int64_t	 at;		/* Unix time */
	char	*name;		/* the sender's */
	char	*body;		/* raw: may hold anything but NUL */
};

enum chat_kind {
	CHAT_NONE,
	CHAT_DIRECT,		/* peer is the other user */
	CHAT_SPACE		/* peer is the space */
};

/*
 * The conversation open on screen: the messages loaded so far, oldest
 * first by id (MSG.LIST pages and message.new events merge into it, each
 * message once), and where the "new" line goes.
 */
struct chat {
	enum chat_kind	 kind;
	int64_t		 peer;
	unsigned	 gen;		/* counts openings: a page for an
					   earlier one is dropped */
	int64_t		 conversation;	/* 0 until known */
	struct message	*msgs;
	size_t		 nmsgs;
	int		 loaded;	/* the newest page came */
	int		 loading;	/* a page is on its way */
	int		 more;		/* older ones on the server */
	int64_t		 last_read;	/* the server's, when opened */
	int64_t		 first_unread;	/* the "new" line's message; 0: none */
	int64_t		 read_upto;	/* marked read up to, by us */
	int		 reading;	/* on screen, focused, at the newest:
					   what arrives is read at once (set
					   by the screen) */
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
	struct contact		*contacts;	/* by name, ignoring case */
	size_t			 ncontacts;
	enum contacts_state	 contacts_state;
	int			 contacts_stale;	/* ask CONTACTS again */
	int			 comments_stale;	/* a file was commented */
	int64_t			 common_of;	/* whose networks common has */
	struct common_network	*common;
	size_t			 ncommon;
	struct candidate	*cands;		/* as the server ordered them */
	size_t			 ncands;
	struct chat		 chat;
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

/* Contacts (model-contact.c) ------------------------------------------ */

/*
 * The data lines of CONTACTS, whose final line said seq=mark (0: none);
 * 0, or -1 if a line does not parse. Presence and preferences that
 * events newer than the mark set are kept: the reply is older.
 */
int model_contacts(struct model *, char *const *lines, size_t n,
    int64_t mark);
/* CONTACTS answered plan_required: no list, and the sidebar says why. */
void model_contacts_refused(struct model *);
/* A CONTACT.SHOW reply: the contact's line and the networks in common;
   mark as for model_contacts. */
int model_contact_show(struct model *, char *const *lines, size_t n,
    int64_t mark);
/* The contact with this user id, or NULL. */
struct contact *model_contact(struct model *, int64_t user);
/* The data lines of INVITE.CANDIDATES; 0 or -1. */
int model_candidates(struct model *, char *const *lines, size_t n);
void model_candidates_clear(struct model *);

/* Conversations (model-chat.c) ---------------------------------------- */

/* Opens a conversation: the messages of any other one are dropped. */
void model_chat_open(struct model *, enum chat_kind, int64_t peer);
void model_chat_close(struct model *);
/*
 * A MSG.LIST reply for the open conversation: its data lines and its
 * final line ("tag OK conversation=.. more=.. last_read=.."). The first
 * page also places the "new" line. 0, or -1 if a line does not parse.
 */
int model_chat_page(struct model *, char *const *lines, size_t n,
    const char *final);
/* The open conversation's message with this id, or NULL. */
struct message *model_chat_message(struct model *, int64_t id);
/* The data lines of CONV.LIST: unread counts of spaces and contacts. */
int model_conversations(struct model *, char *const *lines, size_t n);
/* The unread count of a conversation (kind, peer) is now n. */
void model_unread(struct model *, enum chat_kind, int64_t peer, long n);

/* The current workspace, or NULL. */
struct workspace *model_workspace(struct model *);
/* Makes workspace i current. */
void model_select(struct model *, size_t i);
/* The index of the workspace called name (exactly), or nws. */
size_t model_find_workspace(const struct model *, const char *name);

#endif
