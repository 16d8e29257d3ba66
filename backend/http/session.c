/*
** http/session.c: sessions (see session.h).
**
** FOUNDATION ONLY: accounts and sessions arrive with the identity issue; until
** then every request is anonymous and no request is cookie-authenticated, so
** there is nothing for CSRF to protect.
*/
#include "session.h"

#include <string.h>

int session_resolve(struct req *r) {
  memset(&r->ctx.actor, 0, sizeof r->ctx.actor);
  r->ctx.actor.role = ROLE_ANON;
  r->bearer = 0;
  r->csrf[0] = 0;
  return 0;
}

int session_csrf_ok(struct req *r) {
  (void)r;
  return 1;
}
