/*
 * Password hashing with scrypt (OpenSSL's KDF). The stored form carries its
 * own parameters and salt, so the cost can be raised later without
 * invalidating older hashes:  scrypt$N$r$p$<salt hex>$<hash hex>
 */
#ifndef AGORA_PASSWORD_H
#define AGORA_PASSWORD_H

#define PASSWORD_MAX 1024	/* bytes; longer input is refused */

/* A new hash string (caller frees), or NULL on failure. */
char *password_hash(const char *password, long n);
/* 1: matches, 0: does not (or the stored form is not ours). In constant
 * time with respect to the password. */
int password_verify(const char *password, const char *stored);

#endif
