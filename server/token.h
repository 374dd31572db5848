/*
 * Bearer tokens (sessions now; invitations and links later): 256 bits from
 * the OpenSSL CSPRNG, shown to the client once as 64 hex digits and stored
 * only as their SHA-256, so a database leak yields no usable token.
 */
#ifndef AGORA_TOKEN_H
#define AGORA_TOKEN_H

#define TOKEN_HEX_LEN	64
/* The stored form: "\x" and 64 hex digits, a bytea literal for libpq. */
#define TOKEN_DIGEST_LEN (2 + 64)

int token_new(char token[TOKEN_HEX_LEN + 1]);
/* 0, or -1 if the text is not a well-formed token. */
int token_digest(const char *token, char digest[TOKEN_DIGEST_LEN + 1]);

#endif
