/*
** tests/fuzz/fuzz_request.c: the whole request path, from method, target,
** headers and body to a reply, without sockets (fuzz_http.h). The input is
** the text form of a request (see fuzz_http_parse); seeds are in
** corpus/fuzz_request/.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_http.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  fuzz_http_init(*argc > 0 ? (*argv)[0] : NULL);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = malloc(size + 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = 0;
  struct fuzz_request rq;
  struct fuzz_reply out;
  if (fuzz_http_parse(buf, size, &rq) == 0) fuzz_http_perform(&rq, &out);
  free(buf);
  return 0;
}
