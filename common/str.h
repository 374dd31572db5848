#ifndef AGORA_STR_H
#define AGORA_STR_H

/* Strips leading and trailing white space in place; returns the start. */
char *str_trim(char *);

#endif
