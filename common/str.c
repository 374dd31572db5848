#include <stdio.h>
#include <ctype.h>
#include <string.h>

#include "str.h"

char *
str_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

const char *
str_i64(char buf[STR_I64_LEN], int64_t v)
{
	snprintf(buf, STR_I64_LEN, "%lld", (long long)v);
	return buf;
}
