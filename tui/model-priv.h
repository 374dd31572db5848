/*
 * Shared by the model's files (model.c, model-contact.c, model-chat.c)
 * and no one else: parsing protocol lines into the model, and the event
 * handlers of each part.
 */
#ifndef AGORA_MODEL_PRIV_H
#define AGORA_MODEL_PRIV_H

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
/* A parameter's value, copied; "" when absent. */
char *model_dup(const struct proto_msg *, const char *key);
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

/* One element of an array, of the size given with it. */
typedef int model_parse_fn(const struct proto_msg *, void *);
typedef void model_free_fn(void *);
/*
 * A reply's lines, each a word line parsed into the next element of a
 * new array (n + 1 elements of size bytes, zeroed). A line that does not
 * parse undoes it all: NULL. A parse that fails leaves its element for
 * free_fn to free.
 */
void *model_lines(char *const *lines, size_t n, const char *word,
    size_t size, model_parse_fn *, model_free_fn *free_fn);
/* free_fn on each of the n elements of v, then v. */
void model_free_all(void *v, size_t n, size_t size, model_free_fn *free_fn);

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
