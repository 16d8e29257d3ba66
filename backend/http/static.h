/*
** http/static.h: files under web/ (CSS, a little JS, images).
*/
#ifndef KOMINKAN_HTTP_STATIC_H
#define KOMINKAN_HTTP_STATIC_H

#include "http.h"

/* GET /static/PATH -> the file web/static/PATH with its MIME type; 404 for
** anything else, including any path that would leave web/. Anyone. */
struct reply static_file(struct req *r);

/* The MIME type for a file name by its extension. */
const char *static_mime(const char *name);

#endif
