#ifndef AGORA_STR_H
#define AGORA_STR_H

#include <stdint.h>

/* Room for any int64_t in decimal, sign and NUL included. */
#define STR_I64_LEN 21

/* Strips leading and trailing white space in place; returns the start. */
char *str_trim(char *);
/* v in decimal, in buf; returns buf (for SQL parameters). */
const char *str_i64(char buf[STR_I64_LEN], int64_t v);

#endif
