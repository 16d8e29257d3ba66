/*
** http/qr.h: QR codes (Debian's libqrencode) drawn as inline SVG, for the
** digital permit that counter staff scan. Inline <svg> needs no image route
** and no inline style: the Content-Security-Policy is kept.
*/
#ifndef KOMINKAN_HTTP_QR_H
#define KOMINKAN_HTTP_QR_H

#include "html.h"

/* Write TEXT as a QR code (8-bit mode, error correction M, a quiet zone of 4
** modules) into H as one <svg role="img"> whose accessible name is LABEL.
** Dark modules are one <path>, black on white, crisp edges. Returns the QR
** version (1..40) or -1 when TEXT does not fit or memory ran out (nothing is
** written then). */
int qr_svg(struct html *h, const char *text, const char *label);

#endif
