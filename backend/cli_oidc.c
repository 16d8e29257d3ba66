/*
** cli_oidc.c: serve's OpenID Connect options (see cli_oidc.h).
*/
#include "cli_oidc.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/oidc.h"

/* The secret from FILE (first line) into OUT; 0, or 1 after saying why. */
static int read_secret(const char *file, char *out, size_t n) {
  struct stat sb;
  FILE *f = fopen(file, "r");
  if (!f || fstat(fileno(f), &sb) != 0) {
    fprintf(stderr, "kominkan: --oidc-secret-file %s: cannot read it\n", file);
    if (f) fclose(f);
    return 1;
  }
  if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
    fprintf(stderr, "kominkan: --oidc-secret-file %s: others may read it; chmod 600 it first\n", file);
    fclose(f);
    return 1;
  }
  if (!fgets(out, (int)n, f)) out[0] = 0;
  fclose(f);
  out[strcspn(out, "\r\n")] = 0;
  if (!out[0]) {
    fprintf(stderr, "kominkan: --oidc-secret-file %s is empty\n", file);
    return 1;
  }
  return 0;
}

int cli_oidc_start(const struct oidc_cli *oc, const char *public_url, const char *host, int port) {
  if (!oc->issuer && !oc->client_id && !oc->secret_file) return 0;
  if (!oc->issuer || !oc->client_id) {
    fprintf(stderr, "kominkan: OpenID Connect needs both --oidc-issuer URL and --oidc-client-id ID\n");
    return 1;
  }
  char secret[512] = "", redirect[600], err[512];
  const char *env = getenv("KOMINKAN_OIDC_SECRET");
  if (oc->secret_file) {
    if (read_secret(oc->secret_file, secret, sizeof secret)) return 1;
  } else if (env && *env) snprintf(secret, sizeof secret, "%s", env);
  else {
    fprintf(stderr, "kominkan: OpenID Connect needs its client secret in KOMINKAN_OIDC_SECRET"
                    " or --oidc-secret-file FILE\n");
    return 1;
  }
  if (public_url && *public_url) {
    size_t n = strlen(public_url);
    while (n && public_url[n - 1] == '/') n--;
    snprintf(redirect, sizeof redirect, "%.*s/auth/oidc/callback", (int)n, public_url);
  } else snprintf(redirect, sizeof redirect, "http://%s:%d/auth/oidc/callback", host, port);
  struct oidc_config c = {.issuer = oc->issuer, .client_id = oc->client_id, .secret = secret,
                          .redirect_uri = redirect};
  int rc = oidc_configure(&c, err, sizeof err);
  sodium_memzero(secret, sizeof secret);
  if (rc) {
    fprintf(stderr, "kominkan: %s\n", err);
    return 1;
  }
  fprintf(stderr, "kominkan: OpenID Connect sign-in on: issuer %s, redirect URI %s\n", oc->issuer,
          redirect);
  return 0;
}
