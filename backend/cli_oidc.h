/*
** cli_oidc.h: serve's OpenID Connect options (issue 17; docs/identity.md).
*/
#ifndef KOMINKAN_CLI_OIDC_H
#define KOMINKAN_CLI_OIDC_H

struct oidc_cli {
  const char *issuer, *client_id, *secret_file;
};

/* Turn OpenID Connect sign-in on when --oidc-issuer was given. The secret
** comes from KOMINKAN_OIDC_SECRET or the file --oidc-secret-file (refused when
** its group or others may read it), never from the command line. The
** redirect URI is PUBLIC_URL (or http://HOST:PORT) + /auth/oidc/callback.
** 0 (also when off), or 1 after a message on stderr. */
int cli_oidc_start(const struct oidc_cli *oc, const char *public_url, const char *host, int port);

#endif
