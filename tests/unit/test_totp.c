/*
** tests/unit/test_totp.c: the staff second factor's arithmetic (core/totp.c):
** HOTP against the test values of RFC 4226 appendix D, TOTP steps against
** RFC 6238 appendix B (SHA-1), base32 against RFC 4648 section 10.
*/
#include <criterion/criterion.h>
#include <string.h>

#include "../../backend/core/totp.h"

static const unsigned char key[] = "12345678901234567890";

Test(totp, hotp_rfc4226) {
  static const int want[] = {755224, 287082, 359152, 969429, 338314,
                             254676, 287922, 162583, 399871, 520489};
  for (int i = 0; i < 10; i++) cr_assert_eq(totp_hotp(key, 20, (uint64_t)i), want[i], "count %d", i);
}

Test(totp, totp_rfc6238_sha1_six_digits) {
  /* 8-digit values of the RFC, last six digits */
  cr_assert_eq(totp_hotp(key, 20, 59 / 30), 287082);
  cr_assert_eq(totp_hotp(key, 20, 1111111109 / 30), 81804);      /* 07081804 */
  cr_assert_eq(totp_hotp(key, 20, 1234567890 / 30), 5924);       /* 89005924 */
  cr_assert_eq(totp_hotp(key, 20, 20000000000LL / 30), 353130);  /* 65353130 */
}

Test(totp, base32_rfc4648) {
  char out[64];
  totp_base32((const unsigned char *)"foobar", 6, out, sizeof out);
  cr_assert_str_eq(out, "MZXW6YTBOI");
  totp_base32((const unsigned char *)"f", 1, out, sizeof out);
  cr_assert_str_eq(out, "MY");
  totp_base32(key, 20, out, sizeof out);
  cr_assert_str_eq(out, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
}
