/*
 * The agora client. Until the client issue lands this is only a placeholder
 * that says so; talk to agorad with `openssl s_client` meanwhile.
 */
#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "agora: the terminal client is not built yet; "
	    "see README.md for talking to agorad with openssl s_client\n");
	return 1;
}
