/*
 * Shared by the model's files (model.c, model-contact.c, model-chat.c)
 * and no one else: parsing protocol lines into the model, and the event
 * handlers of each part.
 */
#ifndef AGORA_MODEL_PRIV_H
#define AGORA_MODEL_PRIV_H

#include <stddef.h>

#include "model.h"
#include "proto.h"

/* Lines are parsed in place, so every parse works on a copy. */
struct parsed {
	char		*copy;
	struct proto_msg m;
};

/* 0, or -1 (nothing to free) if line is not a protocol line. */
int model_parse(struct parsed *, const char *line);
/* The first of a reply's lines, a word line (a reply that starts with
   one, then lists others); 0, or -1 (nothing to free). */
int model_first(struct parsed *, char *const *lines, size_t n,
    const char *word);
/* A count or time; 0 when absent or not a number. */
long model_long(const struct proto_msg *, const char *key);
/* 1 if the value is "1". */
int model_flag(const struct proto_msg *, const char *key);
/* An id (1 or more); 0 when absent or not one. */
int64_t model_id(const struct proto_msg *, const char *key);

/* The value, or "someone" (in the user's language) when absent. */
const char *model_someone(const struct proto_msg *, const char *key);
/* Space id's title, or "a space" when it is not known here. */
const char *model_space_title(struct model *, int64_t id);

/* How a parameter fills a field of an element (the strings last). */
enum model_type {
	MODEL_ID,	/* int64_t: 1 or more, or the line is refused */
	MODEL_I64,	/* int64_t: a size or a time; 0 when absent */
	MODEL_LONG,	/* long: a count; 0 when absent */
	MODEL_FLAG,	/* int: 1 if the value is "1" */
	MODEL_TEXT,	/* char *: a copy, "" when absent */
	MODEL_OPT,	/* char *: a copy, NULL when absent */
	MODEL_BODY	/* char *: a copy, or the line is refused */
};

struct model_field {
	const char	*key;
	enum model_type	 type;
	size_t		 off;
};
/* The field of struct s filled from the parameter of the same name. */
#define MODEL_FIELD(s, field, type) { #field, type, offsetof(struct s, field) }

/*
 * A kind of element of the model's arrays: the word of its data lines,
 * its size, its fields (ending with a NULL key), and a hook that frees
 * what else it owns (or NULL). Parsing and freeing both come from the
 * fields, so a field is named once.
 */
struct model_kind {
	const char			*word;
	size_t				 size;
	const struct model_field	*fields;
	void				(*free)(void *);
};

/*
 * Fills v from a data line, replacing the strings it held (v starts
 * zeroed): 0, or -1 when a field the line must have is missing (what v
 * got is then for model_clear).
 */
int model_fill(const struct model_kind *, const struct proto_msg *, void *v);
/* Frees what v owns. */
void model_clear(const struct model_kind *, void *v);
/*
 * A reply's lines, each a data line of the kind's word filling the next
 * element of a new array (n + 1 elements, zeroed). A line that does not
 * parse undoes it all: NULL.
 */
void *model_lines(char *const *lines, size_t n, const struct model_kind *);
/* model_clear on each of the n elements of v, then frees v. */
void model_free_all(void *v, size_t n, const struct model_kind *);

/*
 * Event handlers: apply the event to their part of the model and return
 * the activity feed's text for it (caller frees), or NULL when it does
 * not belong in the feed (presence, read marks: state, not news).
 */
char *model_contact_event(struct model *, const char *type,
    const struct proto_msg *);
char *model_chat_event(struct model *, const char *type,
    const struct proto_msg *);

void model_contacts_free(struct model *);
void model_candidates_free(struct model *);
void model_chat_free(struct model *);

#endif
