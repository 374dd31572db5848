/*
 * The server's words for roles, statuses and plans ("owner", "pending",
 * "pro") as the screen shows them: in the user's language. Scripts read
 * the words themselves (agora --json).
 */
#ifndef AGORA_LABELS_H
#define AGORA_LABELS_H

/* word's label, translated; a word it does not know, as it is. */
const char *label_of(const char *word);

#endif
