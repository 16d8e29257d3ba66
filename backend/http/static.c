/*
** http/static.c: static files (see static.h).
**
** A path is served only when every segment is plain ([A-Za-z0-9._-], not
** starting with a dot) and the resolved file lies inside the web folder, so
** "..", encoded slashes, symlinks out and hidden files are all 404.
*/
#include "static.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reply.h"

static const struct {
  const char *ext, *type;
} mime[] = {
  {".css", "text/css; charset=utf-8"},
  {".js", "text/javascript; charset=utf-8"},
  {".html", "text/html; charset=utf-8"},
  {".svg", "image/svg+xml"},
  {".png", "image/png"},
  {".ico", "image/x-icon"},
  {".json", "application/json; charset=utf-8"},
  {".txt", "text/plain; charset=utf-8"},
  {".woff2", "font/woff2"},
};

const char *static_mime(const char *name) {
  const char *dot = strrchr(name, '.');
  for (size_t i = 0; dot && i < sizeof mime / sizeof mime[0]; i++)
    if (!strcmp(dot, mime[i].ext)) return mime[i].type;
  return "application/octet-stream";
}

static int plain_path(const char *p) {
  if (!*p) return 0;
  for (const char *seg = p; *seg;) {
    if (*seg == '.' || *seg == '/') return 0;      /* hidden, "..", empty segment */
    const char *e = seg;
    for (; *e && *e != '/'; e++) {
      char c = *e;
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '.' || c == '_' || c == '-'))
        return 0;
    }
    seg = *e ? e + 1 : e;
  }
  return 1;
}

struct reply static_file(struct req *r) {
  const char *rel = r->url + 1; /* "static/..." */
  char path[PATH_MAX], real[PATH_MAX], root[PATH_MAX];
  struct stat sb;
  if (!plain_path(r->url + strlen("/static/"))) return reply_error(r, KERR_NOT_FOUND, NULL);
  if (snprintf(path, sizeof path, "%s/%s", app.web_dir, rel) >= (int)sizeof path)
    return reply_error(r, KERR_NOT_FOUND, NULL);
  if (!realpath(app.web_dir, root) || !realpath(path, real) ||
      strncmp(real, root, strlen(root)) != 0 || real[strlen(root)] != '/')
    return reply_error(r, KERR_NOT_FOUND, NULL);
  int fd = open(real, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return reply_error(r, KERR_NOT_FOUND, NULL);
  if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    close(fd);
    return reply_error(r, KERR_NOT_FOUND, NULL);
  }
  struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
  if (!resp) {
    close(fd);
    return reply_fail();
  }
  reply_headers(resp, static_mime(real), 0);
  MHD_add_response_header(resp, "Cache-Control", "public, max-age=300");
  return reply_take(200, resp);
}
