/*
** http/qr.c: QR codes as inline SVG (see qr.h).
**
** Each dark module is a 1x1 square in a viewBox measured in modules, runs of
** dark modules in a row joined into one rectangle, all in one path: a
** version-18 code (what a permit needs) stays near 20 KB. The size on screen
** is the stylesheet's (.qr), so it scales with the page.
*/
#include "qr.h"

#include <qrencode.h>
#include <stdio.h>

#define QUIET 4

int qr_svg(struct html *h, const char *text, const char *label) {
  QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (!q) return -1;
  int w = q->width, side = w + 2 * QUIET;
  html_printf(h, "<svg class=\"qr\" role=\"img\" aria-label=\"%h\" viewBox=\"0 0 %d %d\" "
                 "xmlns=\"http://www.w3.org/2000/svg\" shape-rendering=\"crispEdges\">"
                 "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/><path fill=\"#000000\" d=\"",
              label, side, side, side, side);
  for (int y = 0; y < w; y++) {
    for (int x = 0; x < w;) {
      if (!(q->data[y * w + x] & 1)) {
        x++;
        continue;
      }
      int run = 1;
      while (x + run < w && (q->data[y * w + x + run] & 1)) run++;
      char seg[48];
      snprintf(seg, sizeof seg, "M%d %dh%dv1h-%dz", x + QUIET, y + QUIET, run, run);
      html_raw(h, seg);
      x += run;
    }
  }
  html_raw(h, "\"/></svg>");
  int version = q->version;
  QRcode_free(q);
  return h->oom ? -1 : version;
}
